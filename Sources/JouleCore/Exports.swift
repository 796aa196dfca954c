// The event record (`EventCounters`, `LayerKind`) lives in JouleEvents, shared with the energy
// model; users of the core name it through this module.
@_exported import JouleEvents
