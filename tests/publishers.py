"""Stand-ins for the data publishers on loopback, in their real formats: CEPII's BACI download
folder (zip archives, a directory listing, HTTP ranges) and the UN Comtrade API v1 (JSON
``{"elements": [...]}`` with the API's field names, the key header, the preview's 500-record
limit). Faults are queued per test: a cut connection, 429 with Retry-After, 503, a timeout, a
spent quota, a changed schema, an answer that is not JSON."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from shared_data import CMA, DATA

KEY = "test-subscription-key"


@dataclass
class Publisher:
    """What the stand-in serves and what it saw."""

    archives: dict[str, bytes] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    listing: bool = True

    def fault(self) -> str:
        return self.faults.pop(0) if self.faults else ""


def baci_archive(baci_dir: Path, release: str = "V202601", hs: str = "HS17") -> bytes:
    """A BACI release archive as CEPII publishes it: a CSV per year, the country and product
    code files and a readme."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for year in (2022, 2024):
            z.write(
                baci_dir / f"BACI_{hs}_Y{year}_{release}.csv", f"BACI_{hs}_Y{year}_{release}.csv"
            )
        z.write(baci_dir / f"country_codes_{release}.csv", f"country_codes_{release}.csv")
        z.writestr(f"product_codes_{hs}_{release}.csv", "code,description\n850511,Magnets\n")
        z.writestr("Readme.txt", "BACI test release\n")
    return out.getvalue()


def comtrade_records() -> list[dict[str, Any]]:
    """Real Comtrade records as the API gives them: the 2024 annual pull (the largest row of a
    reporter × partner × product × flow as the total, ``motCode`` 0; no breakdowns) and the
    monthly vaccine (300220) series."""
    raw = pd.read_parquet(CMA / "comtrade_raw_2024_31hs6.parquet").drop_duplicates()
    raw = raw.sort_values("value").groupby(["reporter", "partner", "cmd", "flow"]).tail(1)
    annual = [{"typeCode": "C", "freqCode": "A", "refYear": 2024, "period": "2024",
               "reporterCode": int(r.reporter), "flowCode": r.flow, "partnerCode": int(r.partner),
               "partner2Code": 0, "classificationCode": "H6", "cmdCode": r.cmd,
               "customsCode": "C00", "motCode": 0, "primaryValue": float(r.value),
               "netWgt": None if pd.isna(r.netwgt) else float(r.netwgt)}
              for r in raw.itertuples()]  # fmt: skip
    monthly = pd.read_parquet(DATA / "comtrade_monthly_vaccines_300220"
                              / "comtrade_monthly_300220_2010_2020.parquet")  # fmt: skip
    monthly = monthly[monthly.flow_code.isin([1, 2])]
    months = [{"typeCode": "C", "freqCode": "M", "refYear": int(r.year), "period": str(r.period),
               "reporterCode": int(r.reporter_code), "flowCode": "M" if r.flow_code == 1 else "X",
               "partnerCode": int(r.partner_code), "partner2Code": 0, "classificationCode": "H3",
               "cmdCode": r.cmd_code, "customsCode": "C00", "motCode": 0,
               "primaryValue": float(r.value_usd),
               "netWgt": None if pd.isna(r.netweight_kg) else float(r.netweight_kg)}
              for r in monthly.itertuples()]  # fmt: skip
    return annual + months


def _matches(record: dict[str, Any], params: dict[str, str], frequency: str) -> bool:
    if record["freqCode"] != frequency:
        return False
    for name in ("reporterCode", "partnerCode", "cmdCode", "period"):
        wanted = params.get(name)
        if wanted and str(record[name]) not in wanted.split(","):
            return False
    return str(record["flowCode"]) in params.get("flowCode", "M,X").split(",")


def app(publisher: Publisher) -> FastAPI:
    api = FastAPI()

    @api.get("/baci/")
    def listing() -> Response:
        if not publisher.listing:
            return Response(status_code=403)
        links = "".join(f'<a href="{n}">{n}</a><br>' for n in sorted(publisher.archives))
        return HTMLResponse(f"<html><body><h1>Index of /baci</h1>{links}</body></html>")

    @api.get("/baci/{name}")
    def archive(name: str, request: Request) -> Response:
        publisher.seen.append({"path": f"/baci/{name}", "range": request.headers.get("range")})
        if name not in publisher.archives:
            return Response("not found", status_code=404)
        body = publisher.archives[name]
        start = 0
        if (given := request.headers.get("range")) and given.startswith("bytes="):
            start = int(given.removeprefix("bytes=").split("-")[0])
        if start >= len(body):
            return Response(status_code=416, headers={"Content-Range": f"bytes */{len(body)}"})
        part = body[start:]
        headers = {"Content-Length": str(len(part)), "Accept-Ranges": "bytes"}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
        if publisher.fault() == "cut":

            def cut() -> Iterator[bytes]:
                yield part[: len(part) // 2]
                raise ConnectionResetError("the stand-in drops the connection")

            return StreamingResponse(cut(), status_code=206 if start else 200, headers=headers)
        return Response(part, status_code=206 if start else 200, headers=headers,
                        media_type="application/zip")  # fmt: skip

    async def comtrade(request: Request, frequency: str, keyed: bool) -> Response:
        params = dict(request.query_params)
        publisher.seen.append({"path": request.url.path, "params": params,
                               "key": request.headers.get("ocp-apim-subscription-key")})  # fmt: skip
        fault = publisher.fault()
        if fault == "timeout":
            await asyncio.sleep(2.0)
        if fault == "429":
            return JSONResponse({"statusCode": 429, "message": "Rate limit is exceeded."},
                                status_code=429, headers={"Retry-After": "1"})  # fmt: skip
        if fault == "503":
            return Response("Service Unavailable", status_code=503)
        if fault == "quota":
            return JSONResponse({"statusCode": 403, "message": "Out of call volume quota. Quota "
                                 "will be replenished in 02:10:05."}, status_code=403)  # fmt: skip
        if fault == "not-json":
            return HTMLResponse("<html>maintenance</html>")
        if keyed and request.headers.get("ocp-apim-subscription-key") != KEY:
            return JSONResponse({"statusCode": 401, "message": "Access denied due to invalid "
                                 "subscription key. Make sure to provide a valid key for an "
                                 "active subscription."}, status_code=401)  # fmt: skip
        found = [r for r in publisher.records if _matches(r, params, frequency)]
        found = found[: 250_000 if keyed else 500]
        if fault == "schema":
            found = [{("primaryValueUSD" if k == "primaryValue" else k): v for k, v in r.items()}
                     for r in found]  # fmt: skip
        return JSONResponse({"elements": found, "count": len(found)})

    @api.get("/data/v1/get/C/{frequency}/HS")
    async def data(frequency: str, request: Request) -> Response:
        return await comtrade(request, frequency, keyed=True)

    @api.get("/public/v1/preview/C/{frequency}/HS")
    async def preview(frequency: str, request: Request) -> Response:
        return await comtrade(request, frequency, keyed=False)

    return api
