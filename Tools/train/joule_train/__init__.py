"""joule_train: train quantised / spiking twins for the Joule runtime and export them
in the `joule-model` JSON + safetensors format (see Models/README.md)."""
