// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

typedef struct pg_result PGresult;

namespace doppel::proxy {

// An order-insensitive hash of a result's rows, so production's rows (DataRow messages seen by
// the proxy) and the shadow's (a libpq result) can be compared without keeping them: the sum of
// the XXH3 hashes of each row's wire form, mixed with the row count. The same multiset of rows
// gives the same value in any order; a changed, missing or extra row changes it. Plain value,
// used by one thread at a time.
class ResultHasher
{
public:
    // A DataRow body as on the wire: column count, then each column's length and bytes.
    void addRow(const char* body, std::size_t size);
    // Every row of a libpq result, in text or binary format, turned into that same wire form.
    void addResult(const PGresult* result);
    std::uint64_t value() const;
    std::int64_t rows() const { return m_rows; }

private:
    std::uint64_t m_sum = 0;
    std::int64_t m_rows = 0;
    std::string m_row; // reused buffer for addResult
};

} // namespace doppel::proxy
