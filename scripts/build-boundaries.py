"""Build portal/reference/boundaries.geojson from a geoBoundaries IDN ADM2 GeoJSON.

Usage: .venv/bin/python scripts/build-boundaries.py SOURCE.geojson [SOURCE_DESCRIPTION]

Keeps the regions of portal.reference.data (matched by their BPS code, `official_code` in the
source), repairs invalid rings (shapely.make_valid), simplifies lightly and rounds coordinates
to 5 decimals (about 1 m). The polygons are never edited by hand: run this again to refresh.
"""

import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from portal.reference import data

OUT = Path(__file__).resolve().parent.parent / "portal" / "reference" / "boundaries.geojson"
TOLERANCE = 0.001  # degrees, about 110 m; on top of the source's own simplification
# How far (degrees) a shipped border may lie from the true one: the source's 0.018 degree
# simplification plus ours. Nearer a border than this, the region is left to be confirmed.
UNCERTAINTY = 0.02
SOURCE = (
    "geoBoundaries gbOpen IDN ADM2 (boundaryID IDN-ADM2-22746128, boundary year 2020), "
    "lineage BPS (Statistics Indonesia) / OCHA ROAP via HDX COD-AB Indonesia; "
    "simplified copy taken from github.com/analystdjaya/indonesia-map-highlighter "
    "data/indonesia-adm2-simplified.geojson (commit cda4647, Douglas-Peucker 0.018 degrees)"
)


def main(source_path: str, source: str = SOURCE) -> None:
    wanted = {code: name for code, name, _kind in data.REGIONS}
    features = []
    for feature in json.loads(Path(source_path).read_text())["features"]:
        code = feature["properties"].get("official_code")
        if code not in wanted:
            continue
        geometry = shapely.make_valid(shape(feature["geometry"]))
        geometry = shapely.set_precision(geometry.simplify(TOLERANCE), 0.00001)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": wanted[code],
                    "source_name": feature["properties"].get("geometry_source_name"),
                },
                "geometry": mapping(geometry),
            }
        )
    missing = sorted(set(wanted) - {f["properties"]["code"] for f in features})
    document = {
        "type": "FeatureCollection",
        "metadata": {
            "source": source,
            "licence": "CC BY 3.0 IGO (Creative Commons Attribution 3.0 "
            "Intergovernmental Organisations)",
            "licence_url": "https://creativecommons.org/licenses/by/3.0/igo/",
            "attribution": "Boundaries: geoBoundaries (Runfola et al. 2020, "
            "https://www.geoboundaries.org), from BPS and OCHA ROAP (HDX COD-AB Indonesia), "
            "CC BY 3.0 IGO; simplified.",
            "changes": f"regions of Sumatera Selatan only; make_valid; simplify({TOLERANCE}); "
            "coordinates rounded to 5 decimals",
            "border_uncertainty_degrees": UNCERTAINTY,
            "missing_codes": missing,
        },
        "features": sorted(features, key=lambda f: f["properties"]["code"]),
    }
    OUT.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUT.name}: {len(features)} regions, {OUT.stat().st_size} bytes, missing {missing}")


if __name__ == "__main__":
    main(*sys.argv[1:])
