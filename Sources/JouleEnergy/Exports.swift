// The event record (`EventCounters`, `LayerKind`) lives in JouleEvents, shared with the core;
// users of the energy model name it through this module.
@_exported import JouleEvents
