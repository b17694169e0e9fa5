"""The sequential replay of engine/resolver.py, in numba source: plain int arrays in and out.
engine/kernels.py calls it, built ahead of time (engine/aot.py) or compiled by numba.

Events arrive in (timestamp, event_id) order as identifier numbers; profiles are a
union-find whose members are doubly linked lists of identifiers, with per-kind counts so a
limit is checked in O(1) (members are walked only when a ``replace`` limit overflows).
Arrays are sized as narrow as the events allow (issue 13, a first load's memory): the
identifier kinds are those the events carry (the resolver drops the others), edges and
merges are at most ``e_cap`` (an event makes at most one edge per identifier beyond its
first), and the profile and detachment arrays start at the identifiers' count and double
when a replacement limit makes room for more (a detached identifier may get a profile again).
The decisions are the ones documented in engine/resolver.py; this module only holds them fast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from identigraph.engine.group_kernel import find_root
from identigraph.engine.jit import njit
from identigraph.rules.decisions import (
    ABSORB,
    ATTACH,
    ATTACH_ONLY,
    BLOCKED_VALUE,
    LIMIT,
    MERGE,
    NEVER_MERGES,
    SUPERSEDED,
)


@njit
def _new_profile(
    q: int, pos: int, x: int, parent: Any, label: Any, created_at: Any, created_for: Any,
    head: Any, tail: Any, mnext: Any, mprev: Any, size: Any, count: Any, kind: Any, prof: Any,
) -> None:
    """Profile ``q`` created at ``pos`` for identifier ``x``, its only member."""
    parent[q] = q
    label[q] = q
    created_at[q] = pos
    created_for[q] = x
    head[q] = tail[q] = x
    mnext[x] = mprev[x] = -1
    size[q] = 1
    count[q, kind[x]] = 1
    prof[x] = q


@njit
def _edge(n: int, pos: int, src: int, dst: int, rule: int, e_at: Any, e_src: Any,
          e_dst: Any, e_rule: Any) -> int:
    """Record edge number ``n``; returns the edge count."""
    e_at[n], e_src[n], e_dst[n] = pos, src, dst
    e_rule[n] = rule
    return n + 1


@njit
def _give_way(m: int, single: bool, want: int, code: int, v: int, by: int, kind: Any,
              mnext: Any, scratch: Any, scratch_by: Any, nd: int) -> tuple[int, int]:
    """Queue for detaching, from member ``m`` on (only ``m`` when ``single``), up to ``want``
    identifiers of kind ``code`` other than ``v``, each giving way to ``by``; returns the
    queue length and how many are still wanted."""
    while m >= 0 and want > 0:
        if kind[m] == code and m != v:
            scratch[nd] = m
            scratch_by[nd] = by
            nd += 1
            want -= 1
        m = -1 if single else mnext[m]
    return nd, want


@njit
def _grown(a: Any, n: int, fill: int) -> Any:
    """A copy of ``a`` with room for ``n`` items, the new ones ``fill``."""
    out = np.empty(n, a.dtype)
    out[: a.shape[0]] = a
    out[a.shape[0]:] = fill
    return out


@njit
def _grown_rows(a: Any, n: int) -> Any:
    """A copy of the 2-D ``a`` with ``n`` rows, the new ones zero."""
    out = np.zeros((n, a.shape[1]), a.dtype)
    out[: a.shape[0]] = a
    return out


@njit
def _replay(
    carried: Any, strength: Any, etype: Any, modes: Any, absorbs: Any, consent_ev: Any,
    kind: Any, blocked: Any, lim_max: Any, lim_replace: Any, consent_kind: Any, e_cap: int,
) -> Any:
    n = carried.shape[0]
    nk = carried.shape[1]  # identifier kinds
    ns = strength.shape[0]
    ni = kind.shape[0]
    cap = ni + 64  # profiles and detachments: grown when a replacement limit needs more
    e_cap = max(e_cap, 1)
    prof = np.full(ni, -1, np.int32)
    consent = np.full(ni, -1, np.int32)
    consent_at = np.full(ni, -1, np.int32)
    detached_at = np.full(ni, -1, np.int32)
    mnext = np.full(ni, -1, np.int32)
    mprev = np.full(ni, -1, np.int32)
    scratch = np.empty(ni + nk, np.int32)
    scratch_by = np.empty(ni + nk, np.int32)
    ids = np.empty(nk, np.int32)
    # profiles
    parent = np.empty(cap, np.int32)
    size = np.zeros(cap, np.int32)
    count = np.zeros((cap, nk), np.int32)
    head = np.full(cap, -1, np.int32)
    tail = np.full(cap, -1, np.int32)
    label = np.empty(cap, np.int32)
    created_at = np.empty(cap, np.int32)
    created_for = np.empty(cap, np.int32)
    mg_head = np.full(cap, -1, np.int32)
    mg_tail = np.full(cap, -1, np.int32)
    mg_next = np.full(cap, -1, np.int32)
    # decisions
    e_at = np.empty(e_cap, np.int32)
    e_src = np.empty(e_cap, np.int32)
    e_dst = np.empty(e_cap, np.int32)
    e_rule = np.empty(e_cap, np.int8)
    m_at = np.empty(e_cap, np.int32)  # a merge comes with its edge
    m_into = np.empty(e_cap, np.int32)
    m_from = np.empty(e_cap, np.int32)
    m_via = np.empty(e_cap, np.int32)
    d_at = np.empty(64, np.int32)
    d_prof = np.empty(64, np.int32)
    d_ident = np.empty(64, np.int32)
    d_by = np.empty(64, np.int32)
    n_prof = n_edge = n_merge = n_detach = 0

    for pos in range(n):
        if n_prof + nk > parent.shape[0]:  # an event creates a profile per kind at most
            grow = 2 * parent.shape[0]
            parent = _grown(parent, grow, 0)
            size = _grown(size, grow, 0)
            count = _grown_rows(count, grow)
            head = _grown(head, grow, -1)
            tail = _grown(tail, grow, -1)
            label = _grown(label, grow, 0)
            created_at = _grown(created_at, grow, 0)
            created_for = _grown(created_for, grow, 0)
            mg_head = _grown(mg_head, grow, -1)
            mg_tail = _grown(mg_tail, grow, -1)
            mg_next = _grown(mg_next, grow, -1)
        for j in range(consent_kind.shape[0]):  # email, then SMS consent
            if consent_kind[j] < 0:
                continue
            x = carried[pos, consent_kind[j]]
            c = consent_ev[pos, j]
            if x >= 0 and c >= 0 and not blocked[x]:
                consent[x] = c
                consent_at[x] = pos
        k = 0
        for j in range(ns):  # the event's identifiers in strength order
            x = carried[pos, strength[j]]
            if x >= 0:
                ids[k] = x
                k += 1
        if k == 0:
            continue
        if k == 1:  # the common case: one identifier, nothing to link
            x = ids[0]
            if prof[x] < 0 and not blocked[x]:
                _new_profile(n_prof, pos, x, parent, label, created_at, created_for,
                             head, tail, mnext, mprev, size, count, kind, prof)
                n_prof += 1
            continue
        mode = modes[etype[pos]]
        absorb = absorbs[etype[pos]]
        anchor = -1
        for j in range(k):
            if not blocked[ids[j]]:
                anchor = ids[j]
                break
        if anchor < 0:
            for j in range(1, k):
                n_edge = _edge(n_edge, pos, ids[0], ids[j], BLOCKED_VALUE,
                               e_at, e_src, e_dst, e_rule)
            continue
        root = -1 if prof[anchor] < 0 else find_root(parent, prof[anchor])
        if root < 0:
            root = n_prof
            _new_profile(n_prof, pos, anchor, parent, label, created_at, created_for,
                         head, tail, mnext, mprev, size, count, kind, prof)
            n_prof += 1
        rule_ok = MERGE if mode == 0 else ATTACH
        for j in range(k):
            x = ids[j]
            if x == anchor:
                continue
            rule = -1
            if blocked[x]:
                rule = BLOCKED_VALUE
            else:
                other = -1 if prof[x] < 0 else find_root(parent, prof[x])
                if mode == 2:
                    rule = NEVER_MERGES
                    if other < 0:
                        _new_profile(n_prof, pos, x, parent, label, created_at, created_for,
                                     head, tail, mnext, mprev, size, count, kind, prof)
                        n_prof += 1
                elif other == root:
                    rule = rule_ok
                elif other >= 0 and mode != 0 and not (
                    (absorb >> kind[x]) & 1 and size[other] == 1
                ):
                    rule = ATTACH_ONLY
            if rule >= 0:
                n_edge = _edge(n_edge, pos, anchor, x, rule,
                               e_at, e_src, e_dst, e_rule)
                continue
            # x joins root: alone (other < 0) or with its whole profile; check the limits
            nd = 0
            for code in range(nk):
                lim = lim_max[code]
                if lim < 0:
                    continue
                inc = (1 if kind[x] == code else 0) if other < 0 else count[other, code]
                if inc == 0:  # only kinds that arrive can overflow
                    continue
                cur = count[root, code]
                if cur + inc <= lim:
                    continue
                v = carried[pos, code]
                if not lim_replace[code] or v < 0 or blocked[v]:
                    nd = -1
                    break
                v_in = v == x
                if not v_in and prof[v] >= 0:
                    rv = find_root(parent, prof[v])
                    v_in = rv == root or (other >= 0 and rv == other)
                want = cur + inc - lim
                if v_in:  # the event's own value wins: the earliest others make room
                    by = v
                    nd, want = _give_way(head[root], False, want, code, v, by, kind, mnext,
                                         scratch, scratch_by, nd)
                else:  # it has not landed (and may never): root keeps its own, the
                    # merged-in profile's give way to the first of root's (SPEC section 3)
                    by = -1
                    m = head[root]
                    while m >= 0 and by < 0:
                        if kind[m] == code:
                            by = m
                        m = mnext[m]
                start = x if other < 0 else head[other]
                nd, want = _give_way(start, other < 0, want, code, v, by, kind, mnext,
                                     scratch, scratch_by, nd)
            if nd < 0:
                n_edge = _edge(n_edge, pos, anchor, x, LIMIT,
                               e_at, e_src, e_dst, e_rule)
                if other < 0:
                    _new_profile(n_prof, pos, x, parent, label, created_at, created_for,
                                 head, tail, mnext, mprev, size, count, kind, prof)
                    n_prof += 1
                continue
            if other < 0:  # attach x at the end of root's members
                rule = rule_ok
                mprev[x] = tail[root]
                mnext[x] = -1
                if tail[root] >= 0:
                    mnext[tail[root]] = x
                else:
                    head[root] = x
                tail[root] = x
                size[root] += 1
                count[root, kind[x]] += 1
                prof[x] = root
            else:  # merge: root's label is kept, the bigger side stays the union-find root
                rule = MERGE if mode == 0 else ABSORB
                lab, other_lab = label[root], label[other]
                big, small = root, other
                if size[small] > size[big]:
                    big, small = small, big
                parent[small] = big
                if head[small] >= 0:
                    if tail[big] >= 0:
                        mnext[tail[big]] = head[small]
                        mprev[head[small]] = tail[big]
                    else:
                        head[big] = head[small]
                    tail[big] = tail[small]
                size[big] += size[small]
                for code in range(nk):
                    count[big, code] += count[small, code]
                    count[small, code] = 0
                size[small] = 0
                head[small] = tail[small] = -1
                label[big] = lab
                # merged ids: the other's label, then everything merged into it before
                seg_tail = mg_tail[other_lab] if mg_head[other_lab] >= 0 else other_lab
                mg_next[other_lab] = mg_head[other_lab]
                if mg_head[lab] < 0:
                    mg_head[lab] = other_lab
                else:
                    mg_next[mg_tail[lab]] = other_lab
                mg_tail[lab] = seg_tail
                mg_head[other_lab] = mg_tail[other_lab] = -1
                m_at[n_merge], m_into[n_merge] = pos, lab
                m_from[n_merge], m_via[n_merge] = other_lab, x
                n_merge += 1
                root = big
            if n_detach + nd > d_at.shape[0]:
                grow = max(2 * d_at.shape[0], n_detach + nd)
                d_at = _grown(d_at, grow, 0)
                d_prof = _grown(d_prof, grow, 0)
                d_ident = _grown(d_ident, grow, 0)
                d_by = _grown(d_by, grow, 0)
            for j2 in range(nd):  # detach what the replace limit pushed out
                m = scratch[j2]
                if mprev[m] >= 0:
                    mnext[mprev[m]] = mnext[m]
                else:
                    head[root] = mnext[m]
                if mnext[m] >= 0:
                    mprev[mnext[m]] = mprev[m]
                else:
                    tail[root] = mprev[m]
                mnext[m] = mprev[m] = -1
                size[root] -= 1
                count[root, kind[m]] -= 1
                prof[m] = -1
                detached_at[m] = pos
                d_at[n_detach], d_prof[n_detach] = pos, label[root]
                d_ident[n_detach], d_by[n_detach] = m, scratch_by[j2]
                n_detach += 1
            n_edge = _edge(n_edge, pos, anchor, x, rule,
                           e_at, e_src, e_dst, e_rule)

    # finish: identifiers point at roots; merging edges of detached identifiers superseded
    for x in range(ni):
        if prof[x] >= 0:
            prof[x] = find_root(parent, prof[x])
    for i in range(n_edge):
        r = e_rule[i]
        if (r == MERGE or r == ATTACH or r == ABSORB) and (  # noqa: SIM109 (numba)
            detached_at[e_src[i]] >= e_at[i] or detached_at[e_dst[i]] >= e_at[i]
        ):
            e_rule[i] = SUPERSEDED
    n_live = 0
    per_kind = np.zeros(nk, np.int64)
    for q in range(n_prof):
        if parent[q] == q and size[q] > 0:
            n_live += 1
    for x in range(ni):
        if prof[x] >= 0:
            per_kind[kind[x]] += 1
    live = np.empty(n_live, np.int32)
    live_size = np.empty(n_live, np.int32)
    live_head = np.empty(n_live, np.int32)
    live_last = np.full((n_live, 2), -1, np.int32)
    members = np.empty(per_kind.sum(), np.int32)
    member_offsets = np.empty((nk, n_live + 1), np.int32)
    fill = np.zeros(nk, np.int64)
    for code in range(1, nk):
        fill[code] = fill[code - 1] + per_kind[code - 1]
    merged_offsets = np.zeros(n_live + 1, np.int32)
    merged = np.empty(n_merge, np.int32)
    i = 0
    n_merged = 0
    for q in range(n_prof):
        if parent[q] != q or size[q] == 0:
            continue
        live[i] = q
        live_size[i] = size[q]
        live_head[i] = head[q]
        for code in range(nk):
            member_offsets[code, i] = fill[code]
        m = head[q]
        while m >= 0:
            for j in range(2):
                if kind[m] == consent_kind[j]:
                    live_last[i, j] = m
            members[fill[kind[m]]] = m
            fill[kind[m]] += 1
            m = mnext[m]
        m = mg_head[label[q]]
        while m >= 0:
            merged[n_merged] = m
            n_merged += 1
            m = mg_next[m]
        i += 1
        merged_offsets[i] = n_merged
    for code in range(nk):
        member_offsets[code, n_live] = fill[code]
    return (
        prof, consent, consent_at,
        e_at[:n_edge].copy(), e_src[:n_edge].copy(), e_dst[:n_edge].copy(),
        e_rule[:n_edge].copy(),
        created_at[:n_prof].copy(), created_for[:n_prof].copy(), label[:n_prof].copy(),
        live, live_size, live_head, live_last, members, member_offsets,
        merged[:n_merged].copy(), merged_offsets,
        m_at[:n_merge].copy(), m_into[:n_merge].copy(), m_from[:n_merge].copy(),
        m_via[:n_merge].copy(),
        d_at[:n_detach].copy(), d_prof[:n_detach].copy(), d_ident[:n_detach].copy(),
        d_by[:n_detach].copy(),
    )

