from checkov.common.models.enums import CheckCategories

from policies.base import EnvironmentCheck, matches, value


class DynamoDbDeletionProtectionPerEnvironment(EnvironmentCheck):
    ID = "UJA_ENV_002"
    NAME = "DynamoDB tables must have deletion protection where the environment requires it (prod)"
    SEVERITY = "HIGH"
    RATIONALE = "A mistaken destroy or replace must not delete production tables."
    FIX = "Set deletion_protection_enabled = var.deletion_protection and true in the environment's tfvars."
    RESOURCES = ("aws_dynamodb_table",)
    CATEGORY = CheckCategories.BACKUP_AND_RECOVERY
    REQUIRED_BY = "dynamodb_deletion_protection_required"

    def evaluate(self, conf):
        return matches(value(conf, "deletion_protection_enabled"), True)


check = DynamoDbDeletionProtectionPerEnvironment()
