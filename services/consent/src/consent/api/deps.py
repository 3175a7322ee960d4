"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from consent.service.app import ConsentServices


def get_services(request: Request) -> ConsentServices:
    services: ConsentServices = request.app.state.services
    return services


Services = Annotated[ConsentServices, Depends(get_services)]


def answer(result: tuple[int, Any]) -> JSONResponse:
    status, body = result
    return JSONResponse(jsonable_encoder(body), status_code=status)
