#!/usr/bin/env python3
"""validate_schema.py SCHEMA_DIR FILE...: validate tcpdissect output against
doc/schema/.  A FILE ending in .json is one -o json document (document.json);
any other is JSON Lines, each line a record (record.json).  Prints one line
per invalid record and exits 1 if any; else prints the count of records."""
import json
import os
import sys

import jsonschema


def load_schemas(d):
    store = {}
    for name in os.listdir(d):
        if name.endswith(".json"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                s = json.load(f)
            store[s["$id"]] = s
            store[name] = s
    return store


def validator_for(store, name):
    schema = store[name]
    cls = jsonschema.validators.validator_for(schema)
    try:
        from referencing import Registry, Resource
        reg = Registry().with_resources(
            (k, Resource.from_contents(v)) for k, v in store.items() if k.startswith("http"))
        return cls(schema, registry=reg)
    except ImportError:		# jsonschema < 4.18
        resolver = jsonschema.RefResolver.from_schema(
            schema, store={k: v for k, v in store.items() if k.startswith("http")})
        return cls(schema, resolver=resolver)


def main():
    store = load_schemas(sys.argv[1])
    rec, doc = validator_for(store, "record.json"), validator_for(store, "document.json")
    bad = n = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            if path.endswith(".json"):
                items = [(1, json.load(f), doc)]
            else:
                items = [(i, json.loads(l), rec) for i, l in enumerate(f, 1) if l.strip()]
        for line, obj, v in items:
            n += 1
            errs = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
            if errs:
                bad += 1
                e = errs[0]
                if e.context:	# oneOf: the branch of the record's own type
                    e = min(e.context, key=lambda c: len(list(c.path)) * -1)
                print("%s:%d: %s at %s" % (path, line, e.message[:200],
                                           "/".join(str(p) for p in e.absolute_path)))
    if bad:
        sys.exit(1)
    print("%d records valid" % n)


main()
