"""The signature on each document: PAdES, made with pyHanko, with the key and certificate the
deployment configures (settings.DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT, PEM files).

In development ``manage.py signing_key`` (``make run`` calls it) makes a self-signed pair once.
Its certificate's organisational unit is DEVELOPMENT_UNIT: a document it signs is a test
signature, and says so on its face (approvals.documents.render) and in the verification.
docs/DEPLOY.md says how a real certificate, or an external seal service, is plugged in.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.module_loading import import_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

DEVELOPMENT_UNIT = "shixian development (test signature)"


class SigningUnavailable(Exception):
    """No usable key and certificate: nothing can be signed."""


@dataclass(frozen=True)
class Signer:
    signer: signers.Signer
    subject: str  # the certificate's subject, as people read it
    test: bool  # the development pair: a test signature
    certificate: asn1_x509.Certificate


def _paths() -> tuple[Path, Path]:
    key, cert = settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT
    if not key or not cert:
        raise SigningUnavailable("no signing key and certificate are configured (DOCUMENT_SIGNING_KEY, _CERT)")
    return Path(key), Path(cert)


@functools.lru_cache(maxsize=4)
def _load(key: Path, cert: Path, stamp: tuple[int, int], passphrase: str) -> Signer:
    loaded = signers.SimpleSigner.load(str(key), str(cert), key_passphrase=passphrase.encode() or None)
    if loaded is None:
        raise SigningUnavailable(f"the key {key} or the certificate {cert} cannot be read")
    certificate = loaded.signing_cert
    parsed = x509.load_der_x509_certificate(certificate.dump())
    units = [a.value for a in parsed.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)]
    return Signer(loaded, parsed.subject.rfc4514_string(), DEVELOPMENT_UNIT in units, certificate)


def current() -> Signer:
    """The configured signer: settings.DOCUMENT_SIGNER's, when it names one (a dotted path to a
    function of no arguments returning a Signer: a hardware token through pyHanko's PKCS#11
    signer, or an external seal service behind a pyHanko Signer), else the PEM key and
    certificate's (read again when either file changes)."""
    if settings.DOCUMENT_SIGNER:
        try:
            return import_string(settings.DOCUMENT_SIGNER)()
        except SigningUnavailable:
            raise
        except Exception as exc:  # a plug-in that fails: nothing can be signed, and the act waits
            raise SigningUnavailable(
                f"DOCUMENT_SIGNER {settings.DOCUMENT_SIGNER}: {type(exc).__name__}: {exc}"
            ) from exc
    key, cert = _paths()
    try:
        stamp = (key.stat().st_mtime_ns, cert.stat().st_mtime_ns)
    except OSError as exc:
        raise SigningUnavailable(f"the signing key or certificate is missing: {exc}") from None
    return _load(key, cert, stamp, settings.DOCUMENT_SIGNING_KEY_PASSWORD)


def sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """``pdf`` signed (PAdES baseline B) by the configured signer."""
    signer = current()
    meta = signers.PdfSignatureMetadata(
        field_name="Signature",
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), meta, signer=signer.signer)
    return out.getvalue()


@dataclass(frozen=True)
class Validation:
    signed: bool  # it carries a signature
    intact: bool  # the signed bytes are unchanged and the signature is mathematically sound
    trusted: bool  # by the configured certificate (the administration's, or its chain)
    signer: str = ""
    problem: str = ""

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted


def validate(data: bytes) -> Validation:
    """Whether ``data`` is a PDF signed by the configured certificate, untouched since."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - whatever was uploaded, the answer is "not a signed PDF"
        return Validation(False, False, False, problem=f"not a readable PDF ({type(exc).__name__})")
    if not embedded:
        return Validation(False, False, False, problem="no signature")
    signature = embedded[-1]
    try:
        roots = [current().certificate]
    except SigningUnavailable:
        roots = []
    try:
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception as exc:  # noqa: BLE001 - a malformed signature is an invalid one
        return Validation(True, False, False, problem=f"the signature cannot be read ({type(exc).__name__})")
    # Bytes added after the signature (an appended line, an incremental update) leave the signed
    # revision sound but change the file: not intact, as a reader of the file means it.
    whole = signature.coverage is not None and signature.coverage.name == "ENTIRE_FILE"
    subject = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    return Validation(True, bool(status.intact and status.valid and whole), bool(status.trusted), subject)


def generate_development_pair(key: Path, cert: Path, organisation: str) -> None:
    """A self-signed key (ECDSA P-256: quick to sign with) and certificate for development,
    marked DEVELOPMENT_UNIT."""
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEVELOPMENT_UNIT),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} (test signature)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(private, hashes.SHA256())
    )
    key.parent.mkdir(parents=True, exist_ok=True)
    cert.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
