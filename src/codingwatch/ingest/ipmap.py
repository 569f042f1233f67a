"""Country (and optionally a place) of a client IP from an organization-supplied CIDR table.

The table is the organization's own: typically the VDI gateway's or the identity provider's
egress map, as CSV with a header: cidr, country (ISO 3166 alpha-2), and optionally latitude,
longitude. No network look-up is ever made. The most specific (longest) prefix wins where
ranges overlap. Written with the standard library's ipaddress: a prefix table of a few
thousand rows needs nothing more.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from codingwatch.errors import CodingwatchError

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class IpMapError(CodingwatchError, ValueError):
    pass


@dataclass(frozen=True)
class IpPlace:
    country: str
    latitude: float | None = None
    longitude: float | None = None


class IpCountryMap:
    def __init__(self, rows: list[tuple[str, IpPlace]]) -> None:
        # {(version, prefixlen): {network int: place}}
        self._by_prefix: dict[tuple[int, int], dict[int, IpPlace]] = {}
        for cidr, place in rows:
            net = ipaddress.ip_network(cidr, strict=False)
            self._by_prefix.setdefault((net.version, net.prefixlen), {})[int(net.network_address)] = place
        self._order = {
            v: sorted((p for (ver, p) in self._by_prefix if ver == v), reverse=True) for v in (4, 6)
        }
        self._cache: dict[str, IpPlace | None] = {}

    def __len__(self) -> int:
        return sum(len(d) for d in self._by_prefix.values())

    @classmethod
    def from_csv(cls, path: Path) -> IpCountryMap:
        rows = []
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            names = [n.strip().lower() for n in reader.fieldnames or []]
            if "cidr" not in names or "country" not in names:
                raise IpMapError(f"{path.name}: the IP map needs columns cidr and country (got {', '.join(names)})")
            for number, raw in enumerate(reader, start=2):
                row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                try:
                    ipaddress.ip_network(row["cidr"], strict=False)
                except ValueError:
                    raise IpMapError(f"{path.name} line {number}: cidr {row['cidr']!r} is not an IP range") from None
                country = row["country"].upper()
                if not _COUNTRY.match(country):
                    raise IpMapError(f"{path.name} line {number}: country {row['country']!r} is not ISO alpha-2")
                lat = lon = None
                if row.get("latitude") and row.get("longitude"):
                    try:
                        lat, lon = float(row["latitude"]), float(row["longitude"])
                    except ValueError:
                        raise IpMapError(f"{path.name} line {number}: latitude/longitude not numbers") from None
                rows.append((row["cidr"], IpPlace(country, lat, lon)))
        return cls(rows)

    def lookup_one(self, ip: str) -> IpPlace | None:
        if ip in self._cache:
            return self._cache[ip]
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            self._cache[ip] = None
            return None
        value = int(address)
        bits = 32 if address.version == 4 else 128
        found = None
        for prefix in self._order[address.version]:
            network = value >> (bits - prefix) << (bits - prefix) if prefix else 0
            found = self._by_prefix[(address.version, prefix)].get(network)
            if found is not None:
                break
        self._cache[ip] = found
        return found

    def lookup(self, ips: list[str]) -> list[IpPlace | None]:
        return [self.lookup_one(ip) for ip in ips]

    def to_arrow(self) -> pa.Table:
        """The map as a table (cidr, country, latitude, longitude) for the rules' inputs."""
        cidrs, countries, lats, lons = [], [], [], []
        for (version, prefix), networks in self._by_prefix.items():
            for network, place in networks.items():
                cidrs.append(f"{ipaddress.ip_address(network) if version == 4 else ipaddress.IPv6Address(network)}/{prefix}")
                countries.append(place.country)
                lats.append(place.latitude)
                lons.append(place.longitude)
        return pa.table({"cidr": cidrs, "country": countries, "latitude": pa.array(lats, pa.float64()),
                         "longitude": pa.array(lons, pa.float64())})
