from checkov.common.models.enums import CheckCategories

from policies.base import EnvironmentCheck, value, within


class KinesisShardsPerEnvironment(EnvironmentCheck):
    ID = "UJA_ENV_005"
    NAME = "Kinesis shard count must stay within the environment's bounds (dev at most 2, prod at least 4)"
    SEVERITY = "MEDIUM"
    RATIONALE = "Dev must stay cheap; prod needs the write capacity of at least four shards."
    FIX = "Set kinesis_shard_count in the environment's tfvars within the bounds in policies/config.yaml."
    RESOURCES = ("aws_kinesis_stream",)
    CATEGORY = CheckCategories.GENERAL_SECURITY

    def evaluate(self, conf):
        return within(value(conf, "shard_count"), self.environment.kinesis_shards_min, self.environment.kinesis_shards_max)


check = KinesisShardsPerEnvironment()
