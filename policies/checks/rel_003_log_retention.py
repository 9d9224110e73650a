from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, is_unresolved, number, value


class LogGroupRetention(UjaCheck):
    ID = "UJA_REL_003"
    NAME = "CloudWatch log groups must set a retention period"
    SEVERITY = "LOW"
    RATIONALE = "Logs kept forever cost money and keep user data past its purpose (retention per environment, section 2)."
    FIX = "Set retention_in_days = var.log_retention_days."
    RESOURCES = ("aws_cloudwatch_log_group",)
    CATEGORY = CheckCategories.LOGGING

    def evaluate(self, conf):
        if is_unresolved(value(conf, "retention_in_days")):
            return None
        days = number(conf, "retention_in_days")
        return days is not None and days > 0


check = LogGroupRetention()
