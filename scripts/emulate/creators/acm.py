"""ACM certificates: requested for real, validated never.

Validation proves control of a domain through DNS or e-mail, which the emulator has neither
of: a requested certificate stays PENDING_VALIDATION, and the deploy says so. (moto itself
marks it ISSUED after MOTO_ACM_VALIDATION_WAIT seconds, 60 by default: the emulator's doing,
not a validation.) A `CertificateValidation`, which waits for that proof, is not emulated.
"""

from __future__ import annotations

from scripts.emulate.creators.base import Made, Target, tag_list, tags, without_none
from scripts.emulate.inputs import Inputs

NOT_EMULATED = {
    "aws:acm/certificateValidation:CertificateValidation": (
        "ACM validates a certificate by DNS or e-mail, which the emulator has neither of"
    ),
}


def certificate(inputs: Inputs, target: Target, clients) -> Made:
    acm = clients("acm")
    values = tag_list(tags(inputs, target))
    if "certificate_body" in inputs:
        made = acm.import_certificate(
            Certificate=inputs["certificate_body"].encode(),
            PrivateKey=inputs.require("private_key").encode(),
            **without_none(
                CertificateChain=(inputs.get("certificate_chain") or "").encode() or None
            ),
            Tags=values,
        )
    else:
        options = inputs.get("options")
        preference = options.get("certificate_transparency_logging_preference") if options else None
        made = acm.request_certificate(
            DomainName=inputs.require("domain_name"),
            **without_none(
                ValidationMethod=inputs.get("validation_method"),
                SubjectAlternativeNames=inputs.plain("subject_alternative_names"),
                KeyAlgorithm=inputs.get("key_algorithm"),
                CertificateAuthorityArn=inputs.get("certificate_authority_arn"),
                Options={"CertificateTransparencyLoggingPreference": preference}
                if preference
                else None,
            ),
            Tags=values,
        )
        target.notes.append(
            f"certificate {inputs['domain_name']}: requested, not validated (no DNS in the "
            "emulator)"
        )
    arn = made["CertificateArn"]
    described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    options = [
        {
            "domain_name": o.get("DomainName"),
            "resource_record_name": o.get("ResourceRecord", {}).get("Name"),
            "resource_record_type": o.get("ResourceRecord", {}).get("Type"),
            "resource_record_value": o.get("ResourceRecord", {}).get("Value"),
        }
        for o in described.get("DomainValidationOptions", [])
    ]
    return arn, {
        "arn": arn,
        "domain_name": described.get("DomainName"),
        "status": described.get("Status"),
        "domain_validation_options": options,
        "type": described.get("Type"),
    }


CREATORS = {"aws:acm/certificate:Certificate": certificate}
