"""What handlers receive, as `Annotated` dependencies: the app's services and
the authenticated caller (401 without a valid token, 403 without the role)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from warmstart.admin.auth import Authorizer, Identity
from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy_store import PolicyStore
from warmstart.admin.source import AdminSource


@dataclass
class Services:
    source: AdminSource
    policies: PolicyStore
    jobs: SimulateJobs
    auth: Authorizer


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
_bearer = HTTPBearer(auto_error=False, description="a Kubernetes or static bearer token")


def caller(request: Request, svc: ServicesDep,
           creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Identity:
    if creds is None or not creds.credentials:
        raise HTTPException(401, "a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    who = svc.auth.authenticate(creds.credentials)
    if who is None:
        raise HTTPException(401, "token not accepted", headers={"WWW-Authenticate": "Bearer"})
    verb, path = request.method.lower(), request.url.path
    if not svc.auth.allowed(who, verb, path):
        raise HTTPException(403, f"{who.user} may not {verb} {path}")
    return who


Caller = Annotated[Identity, Depends(caller)]
