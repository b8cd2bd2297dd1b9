#!/usr/bin/env python3
"""Attributes the server's CPU samples of a `perf script` dump to the parts
of a request, our library's parts one by one, the rest coarsely.

    perf script -i perf.data --comm tokio-rt-worker -F comm,tid,period,ip,sym \
        | python3 bench/profile/attribute.py <server CPU µs per request>

Each sample goes to the first part, in the order below, that any frame of
its stack matches, so a SHA-256 inside the guard counts as "SHA-256 of the
token", not as "guard". Samples outside our code go by their leaf frame.
With the server's CPU per request from the run (LOAD_ONLY prints it), each
share becomes µs per request.
"""
import sys
from collections import Counter

# Our code, innermost parts first: (name, substrings any frame may contain).
OURS = [
    ("verdict cache: SHA-256 of the signature", ["VerdictCache::key"]),
    ("verdict cache: lookup (mutex, hashbrown, signing-input compare, Arc clone)", ["VerdictCache::get"]),
    ("verdict cache: insert (a miss)", ["VerdictCache::insert"]),
    ("miss: signature check (aws-lc RSA with the parsed key)", [
        "jsonwebtoken::crypto", "jsonwebtoken::", "aws_lc_rs::rsa", "aws_lc_0_47_0_RSA",
        "aws_lc_0_47_0_BN", "aws_lc_0_47_0_bn_", "aws_lc_0_47_0_EVP"]),
    ("miss: JWS split, base64 and JSON of header and claims", [
        "maskinporten_rocket::validate::jws", "maskinporten_rocket::claims::Claims::from",
        "maskinporten_rocket::json"]),
    ("miss: b64token scan", ["maskinporten_rocket::validate::is_b64token"]),
    ("miss: the rest of local verification (key lookup, checks)", [
        "maskinporten_rocket::validate::jwt", "maskinporten_rocket::validate::jwks",
        "maskinporten_rocket::validate::Validator::verify"]),
    ("validate: clock read for exp/nbf", ["maskinporten_rocket::validate::now", "check_time"]),
    ("guard: bearer_token (header lookup)", ["guard::bearer_token"]),
    ("guard: scope and consumer check", ["Requirement::is_met_by", "Requirement::allows_consumer"]),
    ("guard: logging", ["log::__private_api", "log::logger"]),
    ("guard: the rest (local cache, async glue, Claims guard)", [
        "maskinporten_rocket::guard", "maskinporten_rocket::validate::Validator::validate",
        "maskinporten_rocket::claims"]),
    ("our response fairing (on_response)", ["maskinporten_rocket::fairing", "maskinporten_rocket::response"]),
]
# Everything else, by the frames on the stack (first match wins).
OTHERS = [
    ("the handler (afp_api::Register::view, JSON body)", ["afp_api::Register::view", "AfpView", "Json<T> as rocket::response::responder"]),
    ("Rocket: Shield fairing", ["rocket::shield"]),
    ("Rocket: request (from hyper, routing, local cache)", ["Request::from_hyp", "rocket::router", "Rocket<rocket::phase::Orbit>>::route", "local_cache"]),
    ("Rocket: response (send_response, headers)", ["send_response", "rocket::response"]),
]


def leaf_class(frames):
    leaf = frames[0]
    if any(f.startswith("[k]") for f in frames[:1]) or leaf.endswith("_[k]"):
        return "kernel"
    return None


def classify(frames):
    for name, needles in OURS + OTHERS:
        if any(n in f for f in frames for n in needles):
            return name
    leaf = frames[0] if frames else ""
    if any(f in ("__GI___writev", "__libc_recv", "epoll_wait", "syscall", "__libc_send")
           or f.startswith("entry_SYSCALL") for f in frames):
        return "kernel: syscalls (TCP loopback, epoll, futex)"
    if "malloc" in leaf or "free" in leaf or "_int_" in leaf or "realloc" in leaf:
        return "allocator"
    if "hyper" in " ".join(frames):
        return "hyper: HTTP/1 parse and encode"
    if "tokio" in " ".join(frames):
        return "tokio: scheduler and I/O driver"
    return "other"


def samples(lines):
    frames, header = [], None
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if header is not None:
                yield header, frames
            frames, header = [], None
        elif not line.startswith(("\t", " ")):
            header = line
        else:
            parts = line.strip().split(None, 1)
            frames.append(parts[1] if len(parts) > 1 else "?")
    if header is not None:
        yield header, frames


def main():
    per_request = float(sys.argv[1]) if len(sys.argv) > 1 else None
    counts = Counter()
    total = 0
    for _, frames in samples(sys.stdin):
        counts[classify(frames)] += 1
        total += 1
    ours = {name for name, _ in OURS}
    print(f"{total} samples of the server's worker threads")
    unit = "µs/req" if per_request else ""
    print(f"{'part':<64} {'share':>7} {unit:>8}")
    for group, keep in (("our library", lambda n: n in ours), ("the rest", lambda n: n not in ours)):
        subtotal = sum(c for n, c in counts.items() if keep(n))
        print(f"-- {group}: {100 * subtotal / total:.1f}%" + (f", {per_request * subtotal / total:.2f} µs/req" if per_request else ""))
        for name, count in counts.most_common():
            if keep(name):
                us = f"{per_request * count / total:8.2f}" if per_request else ""
                print(f"  {name:<62} {100 * count / total:6.2f}% {us}")


if __name__ == "__main__":
    main()
