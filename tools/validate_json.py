#!/usr/bin/env python3
"""Validates JSON lines on stdin against a JSON Schema file: `validate_json.py SCHEMA < lines`.
Exit 0 when every line is valid, 1 (with the first error) otherwise, 3 when jsonschema is
not installed (the tests then skip, saying so)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("jsonschema is not installed", file=sys.stderr)
    sys.exit(3)

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
count = 0
for line in sys.stdin:
    if not line.strip():
        continue
    errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: e.path)
    if errors:
        print(f"line {count + 1}: {errors[0].message} at {list(errors[0].path)}", file=sys.stderr)
        sys.exit(1)
    count += 1
print(f"{count} valid")
