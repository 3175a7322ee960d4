"""OpenID Connect sign-in: the authorization code flow with PKCE (RFC 7636, S256).

The console redirects to the issuer's authorization endpoint with a fresh ``state``,
``nonce`` and code challenge (kept sealed in a short-lived cookie), exchanges the code with
the verifier, checks the ID token (signature by the issuer's JWKS, issuer, audience, nonce,
expiry) and keeps the access token: that is the bearer token the services verify through
the same JWKS (``MEDAID_JWKS_URL``). The role and scopes are read from the access token's
claims named by ``MEDAID_OIDC_ROLE_CLAIM`` / ``MEDAID_OIDC_SCOPE_CLAIM`` and mapped to the
medaid roles of SPEC 0.3."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from console.settings import Settings
from medaid_shared.auth import Role


class SignInRefused(Exception):
    """The issuer's answer cannot sign this user in (shown on the sign-in page)."""


@dataclass(frozen=True)
class SignedIn:
    subject: str
    role: str
    scopes: list[str]
    name: str | None
    access_token: str
    id_token: str
    expires_at: float


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


class OidcClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self._http = http
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKSet | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            r = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
            r.raise_for_status()
            meta = r.json()
            if meta.get("issuer", "").rstrip("/") != self.issuer:
                raise SignInRefused("the issuer's discovery document names another issuer")
            self._metadata = meta
        return self._metadata

    async def _keys(self, refresh: bool = False) -> jwt.PyJWKSet:
        if self._jwks is None or refresh:
            r = await self._http.get((await self.metadata())["jwks_uri"])
            r.raise_for_status()
            self._jwks = jwt.PyJWKSet.from_dict(r.json())
        return self._jwks

    async def _signing_key(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        for refresh in (False, True):  # a key rotated since the last fetch
            for key in (await self._keys(refresh)).keys:
                if kid is None or key.key_id == kid:
                    return key.key
        raise SignInRefused("the token is signed with a key the issuer does not publish")

    async def authorization_url(self, redirect_url: str) -> tuple[str, dict[str, str]]:
        """Where to send the browser, and the state to keep until it comes back."""
        verifier, challenge = pkce_pair()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_url,
            "scope": self.settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        endpoint = (await self.metadata())["authorization_endpoint"]
        return f"{endpoint}?{urlencode(query)}", {"state": state, "nonce": nonce, "verifier": verifier}

    async def complete(self, code: str, redirect_url: str, kept: dict[str, str]) -> SignedIn:
        meta = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_url,
            "client_id": self.client_id,
            "code_verifier": kept["verifier"],
        }
        secret = self.settings.oidc_client_secret
        if secret is None:  # a public client: PKCE alone proves the code is ours
            r = await self._http.post(meta["token_endpoint"], data=form)
        else:  # a confidential client also authenticates (client_secret_basic)
            r = await self._http.post(
                meta["token_endpoint"], data=form, auth=httpx.BasicAuth(self.client_id, secret.get_secret_value())
            )
        if r.status_code != 200:
            raise SignInRefused(f"the issuer refused the code ({r.status_code})")
        tokens = r.json()
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not id_token or not access_token:
            raise SignInRefused("the issuer's answer has no ID token or no access token")
        try:
            id_claims = jwt.decode(
                id_token,
                await self._signing_key(id_token),
                algorithms=["RS256", "ES256"],
                audience=self.client_id,
                issuer=meta["issuer"],
            )
            access_claims = jwt.decode(
                access_token,
                await self._signing_key(access_token),
                algorithms=["RS256", "ES256"],
                audience=self.settings.jwt_audience,
                issuer=meta["issuer"],
            )
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"the issuer's token does not verify: {exc}") from exc
        if id_claims.get("nonce") != kept["nonce"]:
            raise SignInRefused("the ID token answers another sign-in (nonce)")
        return SignedIn(
            subject=str(id_claims["sub"]),
            role=self.map_role(access_claims.get(self.settings.oidc_role_claim)),
            scopes=self.scopes_of(access_claims.get(self.settings.oidc_scope_claim)),
            name=id_claims.get("name"),
            access_token=access_token,
            id_token=id_token,
            expires_at=float(access_claims["exp"]),
        )

    def map_role(self, value: Any) -> str:
        """SPEC 0.3: the issuer's role, mapped to one medaid role (the services read the
        same claim, so the issuer must send a medaid role or one the map translates)."""
        candidates = value if isinstance(value, list) else [value]
        for candidate in candidates:
            role = self.settings.oidc_role_map.get(str(candidate), str(candidate))
            if role in Role._value2member_map_:
                return role
        raise SignInRefused(f"the issuer gives no medaid role in the claim {self.settings.oidc_role_claim!r}")

    @staticmethod
    def scopes_of(value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(v) for v in value if ":" in str(v)]
        return [s for s in str(value or "").split() if ":" in s]

    async def end_session_url(self, id_token: str | None, after: str) -> str | None:
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"post_logout_redirect_uri": after, "client_id": self.client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"
