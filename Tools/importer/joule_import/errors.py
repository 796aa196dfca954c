"""The importer's one error type: what could not be mapped, where, and why."""


class UnsupportedModel(Exception):
    """A node, operator or attribute the importer cannot map onto the integer model. The message
    names the node, its type and the reason, e.g.
    `node 'features.3' (Conv2d): grouped convolution (groups=4) is not supported`."""

    def __init__(self, node, kind, reason):
        self.node, self.kind, self.reason = node, kind, reason
        super().__init__(f"node '{node}' ({kind}): {reason}")
