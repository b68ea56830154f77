#!/usr/bin/env python3
"""Probe which Elasticsearch features the local node supports.

The local node is the Maven Central "integ-test-zip" distribution, which
carries only the modules apm, transport-netty4, x-pack-core and
x-pack-security. This script tries each feature the platform might use
against a running node and prints a Markdown table (used in README.md).

    python3 infra/local/es-feature-probe.py [http://127.0.0.1:9200]

Creates and deletes indices named probe-*. Exit code 0 even when features
fail: it reports, it does not judge.
"""
import json
import sys
import urllib.error
import urllib.request

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9200").rstrip("/")


def es(method, path, body=None, ndjson=None):
    data = None
    headers = {}
    if ndjson is not None:
        data = ("\n".join(json.dumps(x) for x in ndjson) + "\n").encode()
        headers["Content-Type"] = "application/x-ndjson"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"error": raw.decode(errors="replace")}


class Fail(Exception):
    pass


def ok(status, body, what):
    if status >= 300 or (isinstance(body, dict) and body.get("errors") is True):
        err = body.get("error", body) if isinstance(body, dict) else body
        if isinstance(err, dict):
            root = (err.get("root_cause") or [err])[0]
            if not root.get("reason") and isinstance(err.get("caused_by"), dict):
                root = err["caused_by"]
            reason = f'{root.get("type", "")}: {root.get("reason", "")}'
        else:
            reason = str(err)
        raise Fail(f"{what}: HTTP {status} {reason}"[:220])
    return body


def index(name, mappings, docs, settings=None):
    es("DELETE", f"/{name}?ignore_unavailable=true")
    body = {"mappings": mappings}
    if settings:
        body["settings"] = settings
    ok(*es("PUT", f"/{name}", body), "create index")
    lines = []
    for i, d in enumerate(docs, 1):
        lines += [{"index": {"_index": name, "_id": str(i)}}, d]
    if lines:
        ok(*es("POST", "/_bulk?refresh=true", ndjson=lines), "bulk")


def search(name, body):
    return ok(*es("POST", f"/{name}/_search", body), "search")


def hits(res):
    return [h["_id"] for h in res["hits"]["hits"]]


PLACES = [
    {"name": "Café Central", "title": "Coffee and cake in Vienna", "tags": ["coffee", "cake"],
     "loc": {"lat": 48.2104, "lon": 16.3655}, "rating": 4.5, "suggest": {"input": ["Café Central", "Central"]}},
    {"name": "Coffee Corner", "title": "Quick coffee to go", "tags": ["coffee"],
     "loc": {"lat": 48.2082, "lon": 16.3738}, "rating": 3.9, "suggest": {"input": ["Coffee Corner"]}},
    {"name": "Prater Biergarten", "title": "Beer garden by the Prater", "tags": ["beer"],
     "loc": {"lat": 48.2166, "lon": 16.3959}, "rating": 4.1, "suggest": {"input": ["Prater Biergarten"]}},
]
BASE_MAPPING = {"properties": {
    "name": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
    "title": {"type": "text"},
    "tags": {"type": "keyword"},
    "loc": {"type": "geo_point"},
    "rating": {"type": "float"},
    "suggest": {"type": "completion"},
}}


def t_completion_fuzzy():
    index("probe-completion", BASE_MAPPING, PLACES)
    res = search("probe-completion", {"suggest": {"s": {"prefix": "cofe", "completion": {
        "field": "suggest", "fuzzy": {"fuzziness": "AUTO"}}}}})
    texts = [o["text"] for o in res["suggest"]["s"][0]["options"]]
    if "Coffee Corner" not in texts:
        raise Fail(f"unexpected suggestions {texts}")
    return f"prefix 'cofe' fuzzy -> {texts}"


def t_index_prefixes():
    index("probe-prefixes", {"properties": {"title": {"type": "text", "index_prefixes": {
        "min_chars": 1, "max_chars": 10}}}}, PLACES)
    res = search("probe-prefixes", {"query": {"prefix": {"title": "cak"}}})
    res2 = search("probe-prefixes", {"query": {"match_phrase_prefix": {"title": "coffee and ca"}}})
    if hits(res) != ["1"] or "1" not in hits(res2):
        raise Fail(f"match_phrase_prefix hits {hits(res2)}")
    return f"prefix 'cak' -> {hits(res)}, match_phrase_prefix -> {hits(res2)}"


def t_match_bool_prefix():
    index("probe-mbp", BASE_MAPPING, PLACES)
    res = search("probe-mbp", {"query": {"match_bool_prefix": {"title": {
        "query": "cofee cak", "fuzziness": "AUTO"}}}})
    if not hits(res) or hits(res)[0] != "1":
        raise Fail(f"hits {hits(res)}")
    return f"'cofee cak' fuzzy -> {hits(res)}"


def t_multi_match_bool_prefix():
    index("probe-mm", BASE_MAPPING, PLACES)
    res = search("probe-mm", {"query": {"multi_match": {"query": "prat bier", "type": "bool_prefix",
                                                         "fields": ["name", "title"]}}})
    if hits(res) != ["3"]:
        raise Fail(f"hits {hits(res)}")
    return "type bool_prefix over 2 fields"


def t_fuzzy_match():
    index("probe-fuzzy", BASE_MAPPING, PLACES)
    res = search("probe-fuzzy", {"query": {"match": {"name": {"query": "centrl", "fuzziness": "AUTO"}}}})
    if hits(res) != ["1"]:
        raise Fail(f"hits {hits(res)}")
    return "match with fuzziness AUTO"


def t_geo_distance():
    index("probe-geo", BASE_MAPPING, PLACES)
    res = search("probe-geo", {"query": {"bool": {"filter": {"geo_distance": {
        "distance": "1km", "loc": {"lat": 48.2100, "lon": 16.3700}}}}},
        "sort": [{"_geo_distance": {"loc": {"lat": 48.2100, "lon": 16.3700}, "order": "asc", "unit": "m"}}]})
    if sorted(hits(res)) != ["1", "2"]:
        raise Fail(f"hits {hits(res)}")
    return f"geo_distance filter + _geo_distance sort -> {hits(res)}"


def t_geo_agg():
    index("probe-geoagg", BASE_MAPPING, PLACES)
    res = search("probe-geoagg", {"size": 0, "aggs": {"rings": {"geo_distance": {
        "field": "loc", "origin": "48.21,16.37", "unit": "km", "ranges": [{"to": 1}, {"from": 1}]}},
        "cells": {"geohash_grid": {"field": "loc", "precision": 5}}}})
    return f"geo_distance agg buckets {[b['doc_count'] for b in res['aggregations']['rings']['buckets']]}, geohash_grid ok"


def t_terms_agg():
    index("probe-terms", BASE_MAPPING, PLACES)
    res = search("probe-terms", {"size": 0, "aggs": {"tags": {"terms": {"field": "tags"}},
                                                      "avg": {"avg": {"field": "rating"}},
                                                      "card": {"cardinality": {"field": "tags"}}}})
    b = {x["key"]: x["doc_count"] for x in res["aggregations"]["tags"]["buckets"]}
    if b.get("coffee") != 2:
        raise Fail(f"buckets {b}")
    return f"terms {b}, avg, cardinality"


def t_more_aggs():
    index("probe-aggs", {"properties": {"ts": {"type": "date"}, "tag": {"type": "keyword"}, "v": {"type": "long"}}},
          [{"ts": f"2024-01-0{d}T10:00:00Z", "tag": "ab"[d % 2], "v": d} for d in range(1, 8)])
    res = search("probe-aggs", {"size": 0, "aggs": {
        "h": {"date_histogram": {"field": "ts", "calendar_interval": "day"}, "aggs": {"s": {"sum": {"field": "v"}}}},
        "c": {"composite": {"sources": [{"tag": {"terms": {"field": "tag"}}}]}},
        "th": {"terms": {"field": "tag"}, "aggs": {"top": {"top_hits": {"size": 1}}}},
        "p": {"percentiles": {"field": "v"}}}})
    return f"date_histogram({len(res['aggregations']['h']['buckets'])} buckets)+sum, composite, top_hits, percentiles"


def _pipeline(extra_sub, extra_top):
    index("probe-paggs", {"properties": {"ts": {"type": "date"}, "v": {"type": "long"}}},
          [{"ts": f"2024-01-0{d}T10:00:00Z", "v": d} for d in range(1, 8)])
    subs = {"s": {"sum": {"field": "v"}}}
    subs.update(extra_sub)
    aggs = {"h": {"date_histogram": {"field": "ts", "calendar_interval": "day"}, "aggs": subs}}
    aggs.update(extra_top)
    return search("probe-paggs", {"size": 0, "aggs": aggs})


def t_pipeline_core():
    _pipeline({"cs": {"cumulative_sum": {"buckets_path": "s"}}},
              {"m": {"max_bucket": {"buckets_path": "h>s"}}, "a": {"avg_bucket": {"buckets_path": "h>s"}}})
    return "max_bucket, avg_bucket, cumulative_sum"


def t_bucket_script():
    _pipeline({"bs": {"bucket_script": {"buckets_path": {"x": "s"}, "script": "params.x * 2"}}}, {})
    return "bucket_script"


def t_pipeline_derivative():
    _pipeline({"d": {"derivative": {"buckets_path": "s"}}}, {})
    return "derivative"


def t_other_aggs():
    index("probe-oaggs", BASE_MAPPING, PLACES)
    search("probe-oaggs", {"size": 0, "aggs": {
        "r": {"range": {"field": "rating", "ranges": [{"to": 4}, {"from": 4}]}},
        "h": {"histogram": {"field": "rating", "interval": 1}},
        "f": {"filters": {"filters": {"c": {"term": {"tags": "coffee"}}}}},
        "st": {"stats": {"field": "rating"}},
        "gb": {"geo_bounds": {"field": "loc"}},
        "sig": {"significant_terms": {"field": "tags", "min_doc_count": 1}}}})
    return "range, histogram, filters, stats, geo_bounds, significant_terms"


def t_bucket_sort():
    index("probe-bsort", {"properties": {"tag": {"type": "keyword"}}}, [{"tag": "a"}, {"tag": "b"}])
    search("probe-bsort", {"size": 0, "aggs": {"t": {"terms": {"field": "tag"}, "aggs": {
        "bs": {"bucket_sort": {"size": 1}}}}}})
    return "bucket_sort"


def t_search_after():
    index("probe-sa", BASE_MAPPING, PLACES)
    page1 = search("probe-sa", {"size": 2, "sort": [{"rating": "desc"}, {"name.raw": "asc"}]})
    last = page1["hits"]["hits"][-1]["sort"]
    page2 = search("probe-sa", {"size": 2, "sort": [{"rating": "desc"}, {"name.raw": "asc"}], "search_after": last})
    if len(hits(page2)) != 1:
        raise Fail(f"page2 {hits(page2)}")
    return f"pages {hits(page1)} then {hits(page2)}"


def t_pit():
    index("probe-pit", BASE_MAPPING, PLACES)
    pit = ok(*es("POST", "/probe-pit/_pit?keep_alive=1m"), "open pit")["id"]
    res = ok(*es("POST", "/_search", {"size": 2, "pit": {"id": pit, "keep_alive": "1m"},
                                       "sort": [{"rating": "desc"}]}), "search pit")
    last = res["hits"]["hits"][-1]["sort"]
    res2 = ok(*es("POST", "/_search", {"size": 2, "pit": {"id": pit, "keep_alive": "1m"},
                                        "sort": [{"rating": "desc"}], "search_after": last}), "search pit 2")
    ok(*es("DELETE", "/_pit", {"id": pit}), "close pit")
    return f"point in time + search_after -> {hits(res)} {hits(res2)}"


def t_scroll():
    index("probe-scroll", BASE_MAPPING, PLACES)
    res = ok(*es("POST", "/probe-scroll/_search?scroll=1m", {"size": 2}), "scroll")
    ok(*es("POST", "/_search/scroll", {"scroll": "1m", "scroll_id": res["_scroll_id"]}), "scroll next")
    return "scroll"


def t_function_score():
    index("probe-fs", BASE_MAPPING, PLACES)
    res = search("probe-fs", {"query": {"function_score": {
        "query": {"match": {"title": "coffee"}},
        "functions": [{"field_value_factor": {"field": "rating", "factor": 1.0, "modifier": "log1p"}},
                      {"gauss": {"loc": {"origin": {"lat": 48.2104, "lon": 16.3655}, "scale": "500m"}}},
                      {"filter": {"term": {"tags": "cake"}}, "weight": 2}],
        "score_mode": "multiply", "boost_mode": "multiply"}}})
    return f"field_value_factor + gauss decay + weight -> {hits(res)}"


def t_script_score():
    index("probe-ss", BASE_MAPPING, PLACES)
    search("probe-ss", {"query": {"script_score": {"query": {"match_all": {}},
                                                    "script": {"source": "doc['rating'].value * 2"}}}})
    return "painless script"


def t_aliases():
    index("probe-alias-v1", BASE_MAPPING, PLACES)
    index("probe-alias-v2", BASE_MAPPING, PLACES[:1])
    ok(*es("POST", "/_aliases", {"actions": [{"add": {"index": "probe-alias-v1", "alias": "probe-alias"}}]}), "add alias")
    ok(*es("POST", "/_aliases", {"actions": [
        {"remove": {"index": "probe-alias-v1", "alias": "probe-alias"}},
        {"add": {"index": "probe-alias-v2", "alias": "probe-alias", "is_write_index": True}}]}), "swap alias")
    res = search("probe-alias", {"query": {"match_all": {}}})
    if len(hits(res)) != 1:
        raise Fail(f"hits {hits(res)}")
    ok(*es("PUT", "/probe-alias/_doc/9?refresh=true", {"name": "via alias"}), "write via alias")
    es("DELETE", "/probe-alias-v2")
    return "add, atomic swap, write through is_write_index alias"


def t_index_template():
    es("DELETE", "/_index_template/probe-tpl")
    ok(*es("PUT", "/_index_template/probe-tpl", {"index_patterns": ["probe-tpl-*"], "template": {
        "settings": {"number_of_shards": 1}, "mappings": {"properties": {"k": {"type": "keyword"}}}}}), "template")
    es("DELETE", "/probe-tpl-1?ignore_unavailable=true")
    ok(*es("PUT", "/probe-tpl-1/_doc/1?refresh=true", {"k": "x"}), "auto-create index")
    m = ok(*es("GET", "/probe-tpl-1/_mapping"), "mapping")
    es("DELETE", "/probe-tpl-1")
    es("DELETE", "/_index_template/probe-tpl")
    if m["probe-tpl-1"]["mappings"]["properties"]["k"]["type"] != "keyword":
        raise Fail("template not applied")
    return "composable index template applied on auto-create"


def t_highlight():
    index("probe-hl", BASE_MAPPING, PLACES)
    res = search("probe-hl", {"query": {"match": {"title": "coffee"}}, "highlight": {"fields": {"title": {}}}})
    return f"highlight {res['hits']['hits'][0]['highlight']['title']}"


def t_collapse():
    index("probe-collapse", BASE_MAPPING, PLACES)
    search("probe-collapse", {"query": {"match_all": {}}, "collapse": {"field": "name.raw"}})
    return "collapse on a single-valued keyword"


def t_query_dsl():
    index("probe-dsl", BASE_MAPPING, PLACES)
    for q in [{"query_string": {"query": "title:(coffee OR beer) AND rating:>4"}},
              {"simple_query_string": {"query": "coffee + cake", "fields": ["title"]}},
              {"fuzzy": {"name": {"value": "prater", "fuzziness": 1}}},
              {"wildcard": {"name.raw": {"value": "Coffee*"}}},
              {"regexp": {"name.raw": "Caf.*"}},
              {"match_phrase": {"title": {"query": "coffee cake", "slop": 2}}},
              {"bool": {"filter": [{"range": {"rating": {"gte": 4}}}, {"exists": {"field": "loc"}}]}}]:
        search("probe-dsl", {"query": q})
    return "query_string, simple_query_string, fuzzy, wildcard, regexp, match_phrase slop, range/exists"


def t_nested():
    index("probe-nested", {"properties": {"items": {"type": "nested", "properties": {
        "k": {"type": "keyword"}, "v": {"type": "long"}}}}}, [{"items": [{"k": "a", "v": 1}, {"k": "b", "v": 2}]}])
    res = search("probe-nested", {"query": {"nested": {"path": "items", "query": {"bool": {"must": [
        {"term": {"items.k": "a"}}, {"term": {"items.v": 1}}]}}}}})
    if hits(res) != ["1"]:
        raise Fail(f"hits {hits(res)}")
    return "nested query"


def t_normalizer():
    index("probe-norm", {"properties": {"k": {"type": "keyword", "normalizer": "lowercase"}}}, [{"k": "MiXed"}])
    res = search("probe-norm", {"query": {"term": {"k": "MIXED"}}})
    if hits(res) != ["1"]:
        raise Fail(f"hits {hits(res)}")
    return "built-in `lowercase` normalizer on keyword"


def t_builtin_analyzers():
    out = []
    for a in ["standard", "simple", "whitespace", "stop", "keyword"]:
        ok(*es("POST", "/_analyze", {"analyzer": a, "text": "The Quick-Brown fox"}), a)
        out.append(a)
    return "analyzers " + ", ".join(out)


def analyze_custom(settings, text="Crème Brûlée Cafés"):
    es("DELETE", "/probe-an?ignore_unavailable=true")
    ok(*es("PUT", "/probe-an", {"settings": {"analysis": settings}}), "create index with analyzer")
    res = ok(*es("POST", "/probe-an/_analyze", {"analyzer": "a", "text": text}), "analyze")
    return [t["token"] for t in res["tokens"]]


def t_std_stopwords():
    toks = analyze_custom({"analyzer": {"a": {"type": "standard", "stopwords": "_english_", "max_token_length": 20}}},
                          "The best cafés in the city")
    return f"standard analyzer with _english_ stopwords -> {toks}"


def t_lowercase_filter():
    return f"tokens {analyze_custom({'analyzer': {'a': {'type': 'custom', 'tokenizer': 'standard', 'filter': ['lowercase']}}})}"


def t_asciifolding():
    return f"tokens {analyze_custom({'analyzer': {'a': {'type': 'custom', 'tokenizer': 'standard', 'filter': ['asciifolding']}}})}"


def t_edge_ngram_filter():
    return str(analyze_custom({"filter": {"eg": {"type": "edge_ngram", "min_gram": 1, "max_gram": 5}},
                               "analyzer": {"a": {"type": "custom", "tokenizer": "standard", "filter": ["eg"]}}}))


def t_edge_ngram_tokenizer():
    return str(analyze_custom({"tokenizer": {"t": {"type": "edge_ngram", "min_gram": 1, "max_gram": 5}},
                               "analyzer": {"a": {"type": "custom", "tokenizer": "t"}}}))


def t_ngram_tokenizer():
    return str(analyze_custom({"tokenizer": {"t": {"type": "ngram", "min_gram": 2, "max_gram": 3}},
                               "analyzer": {"a": {"type": "custom", "tokenizer": "t"}}}))


def t_english_analyzer():
    ok(*es("POST", "/_analyze", {"analyzer": "english", "text": "running cafes"}), "english")
    return "language analyzer"


def t_shingle():
    return str(analyze_custom({"analyzer": {"a": {"type": "custom", "tokenizer": "standard", "filter": ["shingle"]}}}))


def t_synonym():
    return str(analyze_custom({"filter": {"syn": {"type": "synonym", "synonyms": ["cafe, coffee"]}},
                               "analyzer": {"a": {"type": "custom", "tokenizer": "standard", "filter": ["syn"]}}},
                              "cafe"))


def t_search_as_you_type():
    index("probe-sayt", {"properties": {"name": {"type": "search_as_you_type"}}}, PLACES[:1])
    return "search_as_you_type"


def t_scaled_float():
    index("probe-sf", {"properties": {"p": {"type": "scaled_float", "scaling_factor": 100}}}, [{"p": 1.23}])
    return "scaled_float"


def t_rank_feature():
    index("probe-rf", {"properties": {"pop": {"type": "rank_feature"}}}, [{"pop": 3}])
    return "rank_feature"


def t_wildcard_field():
    index("probe-wc", {"properties": {"w": {"type": "wildcard"}}}, [{"w": "abc"}])
    return "wildcard field type"


def t_dense_vector_knn():
    index("probe-knn", {"properties": {"v": {"type": "dense_vector", "dims": 3, "index": True,
                                             "similarity": "cosine"}}},
          [{"v": [1, 0, 0]}, {"v": [0, 1, 0]}, {"v": [0.9, 0.1, 0]}])
    res = search("probe-knn", {"knn": {"field": "v", "query_vector": [1, 0, 0], "k": 2, "num_candidates": 10}})
    return f"dense_vector + knn -> {hits(res)}"


def t_update_doc():
    index("probe-upd", BASE_MAPPING, PLACES[:1])
    ok(*es("POST", "/probe-upd/_update/1", {"doc": {"rating": 5.0}}), "partial update")
    return "partial update with `doc` (no script)"


def t_update_script():
    index("probe-upds", BASE_MAPPING, PLACES[:1])
    ok(*es("POST", "/probe-upds/_update/1", {"script": {"source": "ctx._source.rating += 1"}}), "scripted update")
    return "scripted update"


def t_delete_by_query():
    index("probe-dbq", BASE_MAPPING, PLACES)
    ok(*es("POST", "/probe-dbq/_delete_by_query?refresh=true", {"query": {"term": {"tags": "beer"}}}), "dbq")
    return "_delete_by_query"


def t_reindex():
    index("probe-ri", BASE_MAPPING, PLACES)
    es("DELETE", "/probe-ri2?ignore_unavailable=true")
    ok(*es("POST", "/_reindex?refresh=true", {"source": {"index": "probe-ri"}, "dest": {"index": "probe-ri2"}}), "reindex")
    es("DELETE", "/probe-ri2")
    return "_reindex"


def t_ingest_pipeline():
    ok(*es("PUT", "/_ingest/pipeline/probe-pipe", {"processors": [{"set": {"field": "x", "value": 1}}]}), "pipeline")
    es("DELETE", "/_ingest/pipeline/probe-pipe")
    return "ingest pipeline with `set` processor"


def t_msearch_mget_count():
    index("probe-multi", BASE_MAPPING, PLACES)
    ok(*es("POST", "/_msearch", ndjson=[{"index": "probe-multi"}, {"query": {"match_all": {}}}]), "msearch")
    ok(*es("POST", "/probe-multi/_mget", {"ids": ["1", "2"]}), "mget")
    c = ok(*es("POST", "/probe-multi/_count", {"query": {"match_all": {}}}), "count")["count"]
    return f"_msearch, _mget, _count ({c})"


def t_root():
    ok(*es("GET", "/"), "GET /")
    return "GET / (client.info()/ping())"


PROBES = [
    ("completion field + completion suggester (fuzzy)", t_completion_fuzzy),
    ("text `index_prefixes` (prefix / match_phrase_prefix)", t_index_prefixes),
    ("`match_bool_prefix` with fuzziness", t_match_bool_prefix),
    ("`multi_match` type `bool_prefix`", t_multi_match_bool_prefix),
    ("`match` with fuzziness", t_fuzzy_match),
    ("`geo_point` + `geo_distance` query + geo sort", t_geo_distance),
    ("geo aggregations (geo_distance, geohash_grid)", t_geo_agg),
    ("`terms` / avg / cardinality aggregations", t_terms_agg),
    ("date_histogram, composite, top_hits, percentiles", t_more_aggs),
    ("range/histogram/filters/stats/geo_bounds/significant_terms aggs", t_other_aggs),
    ("pipeline aggs max_bucket/avg_bucket/cumulative_sum", t_pipeline_core),
    ("pipeline agg bucket_script (needs a script language)", t_bucket_script),
    ("pipeline agg derivative", t_pipeline_derivative),
    ("pipeline agg bucket_sort", t_bucket_sort),
    ("`search_after`", t_search_after),
    ("point in time (PIT) + search_after", t_pit),
    ("scroll", t_scroll),
    ("`function_score` (field_value_factor, gauss decay, weight)", t_function_score),
    ("`script_score` / painless scripts", t_script_score),
    ("aliases (add, atomic swap, write index)", t_aliases),
    ("composable index templates", t_index_template),
    ("query_string / simple_query_string / fuzzy / wildcard / regexp / range", t_query_dsl),
    ("highlighting", t_highlight),
    ("field collapsing", t_collapse),
    ("nested fields + nested query", t_nested),
    ("keyword `lowercase` normalizer", t_normalizer),
    ("built-in analyzers standard/simple/whitespace/stop/keyword", t_builtin_analyzers),
    ("standard analyzer with stopwords", t_std_stopwords),
    ("custom analyzer with `lowercase` filter", t_lowercase_filter),
    ("`asciifolding` filter", t_asciifolding),
    ("`edge_ngram` token filter", t_edge_ngram_filter),
    ("`edge_ngram` tokenizer", t_edge_ngram_tokenizer),
    ("`ngram` tokenizer", t_ngram_tokenizer),
    ("`english` (language) analyzer", t_english_analyzer),
    ("`shingle` filter", t_shingle),
    ("`synonym` filter", t_synonym),
    ("`search_as_you_type` field", t_search_as_you_type),
    ("`scaled_float` field", t_scaled_float),
    ("`rank_feature` field", t_rank_feature),
    ("`wildcard` field type", t_wildcard_field),
    ("`dense_vector` + kNN search", t_dense_vector_knn),
    ("partial update with `doc`", t_update_doc),
    ("scripted update", t_update_script),
    ("`_delete_by_query`", t_delete_by_query),
    ("`_reindex`", t_reindex),
    ("ingest pipeline (`set` processor)", t_ingest_pipeline),
    ("_msearch / _mget / _count", t_msearch_mget_count),
    ("`GET /` (root info; JS client `info()`/`ping()`)", t_root),
]


def main():
    print("| feature | result | detail |")
    print("| --- | --- | --- |")
    n_ok = n_fail = 0
    for name, fn in PROBES:
        try:
            detail = fn()
            res = "works"
            n_ok += 1
        except Fail as e:
            detail = str(e)
            res = "**FAILS**"
            n_fail += 1
        except Exception as e:  # noqa: BLE001 - report anything
            detail = f"{type(e).__name__}: {e}"
            res = "**FAILS**"
            n_fail += 1
        detail = detail.replace("|", "\\|").replace("\n", " ")
        print(f"| {name} | {res} | {detail} |", flush=True)
    es("DELETE", "/probe-*")
    print(f"\n{n_ok} work, {n_fail} fail", file=sys.stderr)


if __name__ == "__main__":
    main()
