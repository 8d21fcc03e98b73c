#!/usr/bin/env python3
"""Independent computation (Python 3 standard library, written from the ACS
General Handbook 2020 ch. 7-8 formulas, not from the Go code) of the expected
values in moe_test.go. Inputs are real ACS 2014-2018 5-year rows for Alameda
County tracts (see PROVENANCE.md), except the proportion example, whose inputs
are the handbook's own worked example (never-married females 203,119 +/- 5,070
of all females 630,498 +/- 831). Run: python3 moe_expected.py
"""
from math import sqrt
import sys

print("python", sys.version.split()[0])
# Handbook proportion example.
p = 203119 / 630498
print("handbook proportion", repr(p), repr(sqrt(5070**2 - p**2 * 831**2) / 630498))
# Tract 06001400100: occupied units = owner 1158 +/- 92 + renter 139 +/- 74.
print("sum 4001 occupied", repr(sqrt(92**2 + 74**2)))
# Tract 06001981900: owner 0 +/- 12, renter 31 +/- 11, and tract 06001990000
# owner 0 +/- 12 (all-zero terms keep one 12).
print("sum zero rule", repr(sqrt(11**2 + 12**2)))
# Ratio renters per owner, tract 06001400300: 1384 +/- 211 / 1057 +/- 171.
r = 1384 / 1057
print("ratio 4003", repr(r), repr(sqrt(211**2 + r**2 * 171**2) / 1057))
# Product: tract 06001400300 renter households 1384 +/- 211 times median
# gross rent 1481 +/- 184 (aggregate monthly rent approximation).
print("product 4003", repr(1384 * 1481), repr(sqrt(1384**2 * 184**2 + 1481**2 * 211**2)))
# Proportion with negative radicand, tract 06001420400: renters 1146 +/- 65
# of occupied 0 +/- 12 + 1146 +/- 65.
dm = sqrt(12**2 + 65**2)
print("prop radicand", repr(65**2 - 1.0 * dm**2), "fallback moe", repr(sqrt(65**2 + 1.0 * dm**2) / 1146))
# CV of tract 06001400100 renters 139 +/- 74 (90%).
print("cv 4001 renters", repr(74 / 1.645 / 139 * 100))
# Z test: tract 06001400100 renter share vs 06001400300 renter share.
p1 = 139 / 1297; m1 = sqrt(74**2 - p1**2 * (92**2 + 74**2)) / 1297
p2 = 1384 / 2441; m2 = sqrt(211**2 - p2**2 * (171**2 + 211**2)) / 2441
z = (p1 - p2) / sqrt((m1 / 1.645)**2 + (m2 / 1.645)**2)
print("share 4001", repr(p1), repr(m1), "share 4003", repr(p2), repr(m2), "z", repr(z))
# MOE conversion 90 -> 95 and 99 of 74.
print("convert", repr(74 * 1.960 / 1.645), repr(74 * 2.576 / 1.645))
