"""Keys and certificates for a throwaway control plane, made with the openssl CLI.

One CA signs the API server's serving certificate and the client certificates
(an `O=system:masters` admin, and kube-scheduler's own user); a separate key
pair signs service-account tokens. EC keys: a fraction of a second for all.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass(frozen=True)
class ClientCert:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    ca: Path
    serving: ClientCert
    admin: ClientCert
    scheduler: ClientCert
    sa_key: Path
    sa_pub: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _signed(folder: Path, name: str, subject: str, extensions: str) -> ClientCert:
    key, csr, cert, ext = (folder / f"{name}.{s}" for s in ("key", "csr", "crt", "ext"))
    _openssl("req", *_EC, "-keyout", key.name, "-out", csr.name, "-subj", subject, cwd=folder)
    ext.write_text(extensions)
    _openssl("x509", "-req", "-in", csr.name, "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-out", cert.name, "-extfile", ext.name, cwd=folder)
    return ClientCert(cert=cert, key=key)


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", *_EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=warmstart-e2e-ca", cwd=folder)
    client = "extendedKeyUsage=clientAuth\n"
    serving = _signed(folder, "apiserver", "/CN=kube-apiserver",
                      "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,"
                      "DNS:kubernetes.default.svc\n")
    admin = _signed(folder, "admin", "/O=system:masters/CN=e2e-admin", client)
    scheduler = _signed(folder, "scheduler", "/CN=system:kube-scheduler", client)
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-out", "sa.key", cwd=folder)
    _openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=folder)
    return Pki(ca=folder / "ca.crt", serving=serving, admin=admin, scheduler=scheduler,
               sa_key=folder / "sa.key", sa_pub=folder / "sa.pub")


def kubeconfig(path: Path, server: str, ca: Path, *, cert: ClientCert | None = None,
               token: str | None = None) -> Path:
    """A one-context kubeconfig: client certificate or bearer token."""
    user = (f"    client-certificate: {cert.cert}\n    client-key: {cert.key}\n" if cert
            else f"    token: {token}\n")
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: e2e\n  cluster:\n    server: {server}\n"
        f"    certificate-authority: {ca}\n"
        f"users:\n- name: e2e\n  user:\n{user}"
        "contexts:\n- name: e2e\n  context: {cluster: e2e, user: e2e}\n"
        "current-context: e2e\n")
    return path
