from checkov.common.models.enums import CheckCategories

from policies.base import EnvironmentCheck, block, is_unresolved, number, value


class TimestreamMagneticRetention(EnvironmentCheck):
    ID = "UJA_ENV_003"
    NAME = "Timestream tables must keep magnetic-store data at least the environment's minimum (dev 30, staging 90, prod 2555 days)"
    SEVERITY = "MEDIUM"
    RATIONALE = "Analytics history is a product requirement; a shorter retention silently deletes it."
    FIX = "Set retention_properties.magnetic_store_retention_period_in_days = var.timestream_retention_magnetic_days."
    RESOURCES = ("aws_timestreamwrite_table",)
    CATEGORY = CheckCategories.BACKUP_AND_RECOVERY

    def evaluate(self, conf):
        retention = block(conf, "retention_properties")
        if retention is None:
            return False  # unset leaves retention to the service default, not to the environment's decision
        if is_unresolved(value(retention, "magnetic_store_retention_period_in_days")):
            return None
        days = number(retention, "magnetic_store_retention_period_in_days")
        return days is not None and days >= self.environment.timestream_magnetic_retention_min_days


check = TimestreamMagneticRetention()
