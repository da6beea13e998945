#!/usr/bin/env python3
"""Turns hyperfine JSON exports of the benchmark scripts into the markdown tables the README
quotes: medians, the throughput ratios the issues ask for, and peak RSS."""
import json
import sys


def medians(path):
    with open(path) as f:
        results = json.load(f)["results"]
    return {r["command"]: r["median"] for r in results}


def row(name, seconds, gib_bytes=None):
    rate = f"{gib_bytes / seconds / 1e9:.2f} GB/s" if gib_bytes else ""
    return f"| {name} | {seconds * 1000:.0f} ms | {rate} |"


def reader(args):
    json_path, rss_raw1, rss_zstd1, rss_lz41, rss_rawN, rss_zstdN, large, size = args
    m = medians(json_path)
    size = int(size)
    print("| command | median | throughput (u32 bytes) |")
    print("|---|---|---|")
    for name, t in m.items():
        print(row(name, t, size))
    print()
    ratios = [
        ("raw u32 windows vs plain mapped scan", m["plain scan (mapped u32)"] / m["reader: raw u32 windows"], 0.80),
        ("zstd .tok vs `zstd -dc`", m["zstd -dc"] / m["reader: zstd .tok"], 0.80),
        ("lz4 .tok vs `lz4 -dc`", m["lz4 -dc"] / m["reader: lz4 .tok"], 0.80),
    ]
    print("| ratio (throughput, medians) | measured | goal |")
    print("|---|---|---|")
    for name, r, goal in ratios:
        print(f"| {name} | {r * 100:.0f}% | ≥ {goal * 100:.0f}% {'met' if r >= goal else 'MISSED'} |")
    print()
    mib = lambda kb: f"{int(kb) / 1024:.1f} MiB"
    print(f"| peak RSS (`/usr/bin/time -v`, includes mapped file pages still resident) | 1 GiB | {large} GiB |")
    print("|---|---|---|")
    print(f"| scan raw u32 | {mib(rss_raw1)} | {mib(rss_rawN)} |")
    print(f"| scan zstd .tok | {mib(rss_zstd1)} | {mib(rss_zstdN)} |")
    print(f"| scan lz4 .tok | {mib(rss_lz41)} | |")


def generic(args):
    m = medians(args[0])
    print("| command | median |")
    print("|---|---|")
    for name, t in m.items():
        print(f"| {name} | {t * 1000:.1f} ms |")


if __name__ == "__main__":
    {"reader": reader, "generic": generic}[sys.argv[1]](sys.argv[2:])
