"""No BMC: for drivers such as fake-hardware or manual-management."""

from tenks.bmc import base


class NoBMC(base.BMCEmulator):
    """Nodes without a BMC. The planner makes no BMC resources for them.
    """

    kinds = ()

    @classmethod
    def bmc_props(cls, node, hypervisor, settings):
        return None

    @classmethod
    def driver_info(cls, props):
        return {}

    # The planner makes no resources for these nodes, so there is nothing
    # to create, change or delete.
    def create_bmc(self, record):
        return None

    def update_bmc(self, old, record):
        return None

    def delete_bmc(self, record):
        return None

    def power(self, props, action):
        from tenks import exception
        raise exception.TenksError('this node has no BMC')
