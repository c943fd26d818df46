"""Shared fixtures: the real data in ../shared/data and files in the published formats made from it.

The real datasets are read from ``../shared/data`` relative to the project root (override with
``ECONSEC_SHARED_DATA``). A missing folder is a failure, not a skip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shared_data import CMA, DATA


def pytest_configure(config: pytest.Config) -> None:
    if not DATA.is_dir():
        raise pytest.UsageError(f"the shared real-data folder {DATA} is missing")


def _baci_codes() -> dict[str, int]:
    cc = pd.read_csv(CMA / "country_codes_V202601.csv", keep_default_na=False)
    codes = {r.country_iso3: int(r.country_code) for r in cc.itertuples()}
    codes["TWN"] = 490
    codes["SDN"] = 729
    return codes


@pytest.fixture(scope="session")
def baci_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BACI release folder in the published format, made from the real BACI rows.

    2024 comes from ``pipeline_trade.parquet`` (kUSD and tonnes, quantities missing as ``NA``);
    2022 from ``baci_2022_31hs6.parquet`` (USD, converted back to kUSD; no quantities, written
    empty). HS6 codes are written as integers, so codes below 100000 lose their leading zero as in
    the published files.
    """
    folder = tmp_path_factory.mktemp("baci")
    codes = _baci_codes()
    t24 = pd.read_parquet(CMA / "pipeline_trade.parquet")
    out24 = pd.DataFrame(
        {
            "t": t24.year,
            "i": t24.exporter.map(codes),
            "j": t24.importer.map(codes),
            "k": t24.hs6.astype(int),
            "v": t24.value_kusd.round(3),
            "q": t24.qty_t.round(3),
        }
    )
    assert out24.notna()[["i", "j"]].all().all()
    out24.to_csv(folder / "BACI_HS17_Y2024_V202601.csv", index=False, na_rep="NA")
    t22 = pd.read_parquet(CMA / "baci_2022_31hs6.parquet")
    out22 = pd.DataFrame(
        {
            "t": 2022,
            "i": t22.i.map(codes),
            "j": t22.j.map(codes),
            "k": t22.cmd.astype(int),
            "v": (t22.value / 1000).round(6),
            "q": "",
        }
    )
    assert out22.notna()[["i", "j"]].all().all()
    out22.to_csv(folder / "BACI_HS17_Y2022_V202601.csv", index=False)
    (folder / "country_codes_V202601.csv").write_bytes(
        (CMA / "country_codes_V202601.csv").read_bytes()
    )
    return folder


@pytest.fixture(scope="session")
def comtrade_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw Comtrade 2022 rows as an API CSV extract.

    The staged copy lost the breakdown columns; within each reporter × partner × product × flow
    the largest row is the total and the others are its transport-mode breakdown, so they get
    ``motCode`` 0 and 1000 respectively. Exact duplicate rows are kept, as in the raw pull.
    """
    raw = pd.read_parquet(CMA / "comtrade_raw_2022_31hs6.parquet")
    key = ["reporter", "partner", "cmd", "flow"]
    distinct = raw.drop_duplicates().copy()
    distinct["is_total"] = distinct.groupby(key).value.rank(method="first", ascending=False) == 1
    raw = raw.merge(distinct, on=list(raw.columns), how="left")
    out = pd.DataFrame(
        {
            "typeCode": "C",
            "freqCode": "A",
            "refYear": raw.year,
            "period": raw.year,
            "reporterCode": raw.reporter,
            "flowCode": raw.flow,
            "partnerCode": raw.partner,
            "partner2Code": 0,
            "classificationCode": "H6",
            "cmdCode": raw.cmd,
            "customsCode": "C00",
            "motCode": np.where(raw.is_total, 0, 1000),
            "netWgt": raw.netwgt,
            "primaryValue": raw.value,
        }
    )
    path = tmp_path_factory.mktemp("comtrade") / "comtrade_2022_31hs6.csv"
    out.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def spark_conf(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Environment for a quiet local Spark: loopback, this Python, errors-only logging."""
    import os
    import sys

    conf = tmp_path_factory.mktemp("spark-conf")
    (conf / "log4j2.properties").write_text(
        "rootLogger.level = error\nrootLogger.appenderRef.stdout.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
    )
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_CONF_DIR"] = str(conf)
