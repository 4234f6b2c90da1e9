"""Which city or regency a point lies in, from the shipped boundaries (pure, no app)."""

import json

import pytest

from portal.reference import data
from portal.reference.geo import BOUNDARIES, Place, boundaries, locate

LUBUK_LINGGAU_CENTRE = (-3.296, 102.861)  # the city hall area
ON_THE_LUBUK_LINGGAU_MUSI_RAWAS_BORDER = (-3.1854, 102.9315)
JUST_OUTSIDE_THE_PROVINCE = (-3.0995, 102.3159)  # about 3 km into Bengkulu
JAKARTA = (-6.2, 106.816)
BANGKA_STRAIT = (-2.3, 105.6)  # sea between Sumatra and Bangka


def test_a_point_in_lubuk_linggau_is_in_lubuk_linggau():
    assert locate(*LUBUK_LINGGAU_CENTRE) == Place(True, "16.74")


@pytest.mark.parametrize(
    "point, code",
    [
        ((-3.29, 103.07), "16.05"),  # Muara Beliti, Kabupaten Musi Rawas (east of the city)
        ((-3.62, 103.06), "16.11"),  # Tebing Tinggi, Kabupaten Empat Lawang (south)
        ((-2.976, 104.775), "16.71"),  # Kota Palembang
        ((-3.79, 103.54), "16.04"),  # Kabupaten Lahat
    ],
)
def test_points_in_neighbouring_regions_get_those_regions(point, code):
    assert locate(*point) == Place(True, code)


def test_a_point_on_a_border_is_inside_with_its_region_to_be_confirmed():
    assert locate(*ON_THE_LUBUK_LINGGAU_MUSI_RAWAS_BORDER) == Place(True, None)
    # The same border a little further on either side is decided again.
    lat, lon = ON_THE_LUBUK_LINGGAU_MUSI_RAWAS_BORDER
    assert locate(lat, lon - 0.03).region_code == "16.74"
    assert locate(lat, lon + 0.03).region_code == "16.05"


def test_the_margin_decides_points_just_outside_the_boundaries():
    assert locate(*JUST_OUTSIDE_THE_PROVINCE, margin=0.05) == Place(True, None)
    assert locate(*JUST_OUTSIDE_THE_PROVINCE, margin=0.0) == Place(False)


@pytest.mark.parametrize("point", [JAKARTA, BANGKA_STRAIT, (0.0, 0.0)])
def test_points_outside_the_area_are_outside(point):
    assert locate(*point, margin=0.05) == Place(False)


def test_every_region_of_the_reference_data_has_a_boundary():
    assert set(boundaries().codes) == {code for code, _name, _kind in data.REGIONS}


def test_the_file_is_small_and_names_its_source_and_licence():
    assert BOUNDARIES.stat().st_size < 1_000_000
    metadata = json.loads(BOUNDARIES.read_text())["metadata"]
    assert "geoBoundaries" in metadata["source"] and "CC BY 3.0 IGO" in metadata["licence"]
    assert "geoBoundaries" in metadata["attribution"]
    assert all(shape.is_valid for shape in boundaries().shapes)
