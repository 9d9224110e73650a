from checkov.common.models.enums import CheckCategories

from policies.base import EnvironmentCheck, block, flag


class DynamoDbPitrPerEnvironment(EnvironmentCheck):
    ID = "UJA_ENV_001"
    NAME = "DynamoDB tables must have point-in-time recovery where the environment requires it (staging, prod)"
    SEVERITY = "HIGH"
    RATIONALE = "PITR is the only way back from a bad write or delete in environments holding real user data."
    FIX = "Set point_in_time_recovery { enabled = var.dynamodb_point_in_time_recovery } and true in the environment's tfvars."
    RESOURCES = ("aws_dynamodb_table",)
    CATEGORY = CheckCategories.BACKUP_AND_RECOVERY
    REQUIRED_BY = "dynamodb_pitr_required"

    def evaluate(self, conf):
        pitr = block(conf, "point_in_time_recovery")
        return False if pitr is None else flag(pitr, "enabled")


check = DynamoDbPitrPerEnvironment()
