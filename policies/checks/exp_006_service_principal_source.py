from policies.base import ResourcePolicyCheck
from policies.policy_document import Statement, unguarded_services


class ServicePrincipalConfusedDeputy(ResourcePolicyCheck):
    ID = "UJA_EXP_006"
    NAME = "Resource policies must tie a service principal to this account's resources (aws:SourceAccount / aws:SourceArn)"
    SEVERITY = "HIGH"
    RATIONALE = (
        "Confused deputy: a service principal acts for every customer of the service, so without aws:SourceAccount or aws:SourceArn"
        " (in a key policy: the service's documented encryption-context key, e.g. kms:EncryptionContext:aws:logs:arn) another"
        " account can make the service use this resource."
    )
    FIX = "Add Condition StringEquals aws:SourceAccount = <account id> and/or ArnLike aws:SourceArn = <the resource that calls>, with concrete values and no IfExists."

    def violates(self, st: Statement) -> bool:
        return bool(unguarded_services(st, key_policy=self.entity_type.startswith("aws_kms_")))


check = ServicePrincipalConfusedDeputy()
