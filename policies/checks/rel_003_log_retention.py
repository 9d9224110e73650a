from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, value, within


class LogGroupRetention(UjaCheck):
    ID = "UJA_REL_003"
    NAME = "CloudWatch log groups must set a retention period"
    SEVERITY = "LOW"
    RATIONALE = "Logs kept forever cost money and keep user data past its purpose (retention per environment, section 2)."
    FIX = "Set retention_in_days = var.log_retention_days."
    RESOURCES = ("aws_cloudwatch_log_group",)
    CATEGORY = CheckCategories.LOGGING

    def evaluate(self, conf):
        return within(value(conf, "retention_in_days"), 1, None)  # any retention at all


check = LogGroupRetention()
