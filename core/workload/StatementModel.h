// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "StatementKind.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace doppel {

// Complexity of a statement, counted over its whole parse tree (every statement of a
// multi-statement text, subqueries and CTE bodies included).
struct StatementFeatures
{
    int depth = 0;      // deepest chain of nested parse nodes (0: did not parse)
    int joins = 0;      // JOIN clauses plus implicit joins (FROM a, b; UPDATE .. FROM; USING)
    int subqueries = 0; // subqueries in expressions (IN, EXISTS, scalar) and in FROM
    int ctes = 0;       // WITH entries
    int tables = 0;     // distinct relations named, CTE references left out
    int aggregates = 0; // aggregate calls (count, sum, ..., or any call with *, DISTINCT, FILTER)
    int sorts = 0;      // ORDER BY clauses of queries (not of window definitions)
    int windows = 0;    // window function calls (OVER)
    bool limit = false; // a LIMIT / FETCH FIRST anywhere
    bool operator==(const StatementFeatures&) const = default;
};

// Kind, read-only verdict and features from one parse of the text. Any thread.
struct StatementClass
{
    StatementKind kind = StatementKind::Unparsed;
    bool readOnly = false;
    StatementFeatures features;
};
StatementClass classifyStatement(const std::string& sql);

// Everything the workload engines need to know about a statement text.
struct StatementAnalysis
{
    QString
        fingerprint; // libpg_query's (hex); "unparsed-<crc32c>" of the text when it does not parse
    QString normalized; // literals replaced by $n; the text itself when it does not parse
    StatementKind kind = StatementKind::Unparsed;
    bool readOnly = false;
    StatementFeatures features;
};
// Uncached: fingerprint, normalization and one parse for the rest. Any thread.
StatementAnalysis analyzeStatement(const std::string& sql);

// The shape of a statement: its text with every numeric and string literal replaced by a
// marker byte, whitespace and everything else kept. Texts of one shape differ only in literals,
// which libpg_query's fingerprint, the kind and the features ignore. Empty when the text holds
// something the scan does not judge safely (dollar quoting, control bytes, a number glued to a
// word): such a text is then only ever matched exactly.
std::string statementShape(const std::string& sql);

// A bounded cache of analyses in front of analyzeStatement, keyed by the shape of the text, so
// a stream that repeats a few hundred statements with varying literals parses each only once.
// Texts that do not parse are cached by their exact text (their fingerprint is of the text).
// Two generations of at most capacity/2 entries each: when the young one fills, the old one is
// dropped and a hit in it is promoted, so memory stays bounded and the hot set survives.
// Not thread-safe: one per thread.
class StatementModel
{
public:
    explicit StatementModel(std::size_t capacity = 65536);
    // The analysis stays valid for as long as the caller holds it.
    std::shared_ptr<const StatementAnalysis> analyze(const std::string& sql);

    std::uint64_t hits() const { return m_hits; }
    std::uint64_t misses() const { return m_misses; }
    std::size_t size() const { return m_young.size() + m_old.size(); }

private:
    using Map = std::unordered_map<std::string, std::shared_ptr<const StatementAnalysis>>;
    std::shared_ptr<const StatementAnalysis> find(const std::string& key);
    void insert(std::string key, std::shared_ptr<const StatementAnalysis> analysis);

    std::size_t m_generation;
    Map m_young;
    Map m_old;
    std::uint64_t m_hits = 0;
    std::uint64_t m_misses = 0;
};

} // namespace doppel
