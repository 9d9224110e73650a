from checkov.common.models.enums import CheckCategories

from policies.base import EnvironmentCheck, value_at, within


class TimestreamMagneticRetention(EnvironmentCheck):
    ID = "UJA_ENV_003"
    NAME = "Timestream tables must keep magnetic-store data at least the environment's minimum (dev 30, staging 90, prod 2555 days)"
    SEVERITY = "MEDIUM"
    RATIONALE = "Analytics history is a product requirement; a shorter retention silently deletes it."
    FIX = "Set retention_properties.magnetic_store_retention_period_in_days = var.timestream_retention_magnetic_days."
    RESOURCES = ("aws_timestreamwrite_table",)
    CATEGORY = CheckCategories.BACKUP_AND_RECOVERY

    def evaluate(self, conf):
        # Unset (no retention_properties) leaves retention to the service default, not to the environment's decision: a finding.
        days = value_at(conf, "retention_properties.magnetic_store_retention_period_in_days")
        return within(days, self.environment.timestream_magnetic_retention_min_days, None)


check = TimestreamMagneticRetention()
