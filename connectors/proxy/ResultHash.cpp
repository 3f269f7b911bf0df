// SPDX-License-Identifier: GPL-3.0-or-later
#include "ResultHash.h"

#include <libpq-fe.h>
#include <xxhash.h>

namespace doppel::proxy {

namespace {

void appendBe(std::string& out, std::uint32_t v, int bytes)
{
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
        out.push_back(char((v >> shift) & 0xff));
}

} // namespace

void ResultHasher::addRow(const char* body, std::size_t size)
{
    m_sum += XXH3_64bits(body, size);
    ++m_rows;
}

void ResultHasher::addResult(const PGresult* result)
{
    const int columns = PQnfields(result);
    const int tuples = PQntuples(result);
    for (int row = 0; row < tuples; ++row) {
        m_row.clear();
        appendBe(m_row, std::uint32_t(columns), 2);
        for (int col = 0; col < columns; ++col) {
            if (PQgetisnull(result, row, col)) {
                appendBe(m_row, 0xffffffffu, 4); // -1: NULL
                continue;
            }
            const int len = PQgetlength(result, row, col);
            appendBe(m_row, std::uint32_t(len), 4);
            m_row.append(PQgetvalue(result, row, col), std::size_t(len));
        }
        addRow(m_row.data(), m_row.size());
    }
}

std::uint64_t ResultHasher::value() const
{
    const std::uint64_t parts[2] = {m_sum, std::uint64_t(m_rows)};
    return XXH3_64bits(parts, sizeof parts);
}

} // namespace doppel::proxy
