// SPDX-License-Identifier: GPL-3.0-or-later
// The order-insensitive result hash that compares production's rows (DataRow bodies seen by
// the proxy) with the shadow's (a libpq result): same rows in any order give the same value,
// a changed, missing, extra or NULL-for-empty row does not, and a libpq result hashes exactly
// as the same rows on the wire.
#include "proxy/ResultHash.h"

#include <QTest>

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

using doppel::proxy::ResultHasher;

namespace {

using Row = std::vector<std::optional<std::string>>;

// The DataRow body the server sends for `row`.
std::string dataRow(const Row& row)
{
    std::string out;
    auto be = [&out](std::uint32_t v, int bytes) {
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
            out.push_back(char((v >> shift) & 0xff));
    };
    be(std::uint32_t(row.size()), 2);
    for (const auto& value : row) {
        be(value ? std::uint32_t(value->size()) : 0xffffffffu, 4);
        if (value)
            out += *value;
    }
    return out;
}

std::uint64_t wireHash(const std::vector<Row>& rows)
{
    ResultHasher h;
    for (const Row& r : rows) {
        const std::string body = dataRow(r);
        h.addRow(body.data(), body.size());
    }
    return h.value();
}

// A libpq result holding `rows` (two text columns), as the mirror gets from the shadow.
PGresult* libpqResult(const std::vector<Row>& rows)
{
    PGresult* res = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
    PGresAttDesc columns[2] = {};
    columns[0].name = const_cast<char*>("id");
    columns[1].name = const_cast<char*>("note");
    columns[0].typid = 23;
    columns[1].typid = 25;
    columns[0].typlen = 4;
    columns[1].typlen = -1;
    PQsetResultAttrs(res, 2, columns);
    for (int r = 0; r < int(rows.size()); ++r)
        for (int c = 0; c < 2; ++c) {
            const auto& v = rows[std::size_t(r)][std::size_t(c)];
            // A length of -1 stores NULL.
            PQsetvalue(res, r, c, v ? const_cast<char*>(v->data()) : nullptr,
                       v ? int(v->size()) : -1);
        }
    return res;
}

const std::vector<Row> kRows = {{"1", "alpha"}, {"2", std::nullopt}, {"3", ""}, {"4", "delta"}};

} // namespace

class TestResultHash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void orderDoesNotMatter()
    {
        std::vector<Row> reversed(kRows.rbegin(), kRows.rend());
        QCOMPARE(wireHash(reversed), wireHash(kRows));
    }

    void anyChangeDoes_data()
    {
        QTest::addColumn<int>("change");
        QTest::newRow("changed value") << 0;
        QTest::newRow("missing row") << 1;
        QTest::newRow("extra row") << 2;
        QTest::newRow("duplicated row instead of another") << 3;
        QTest::newRow("NULL for empty string") << 4;
        QTest::newRow("value moved across columns") << 5;
    }
    void anyChangeDoes()
    {
        QFETCH(int, change);
        std::vector<Row> rows = kRows;
        switch (change) {
        case 0:
            rows[0][1] = "alphA";
            break;
        case 1:
            rows.pop_back();
            break;
        case 2:
            rows.push_back({"5", "echo"});
            break;
        case 3:
            rows[3] = rows[0];
            break;
        case 4:
            rows[2][1] = std::nullopt;
            break;
        case 5:
            rows[0] = {"1a", "lpha"};
            break;
        }
        QVERIFY(wireHash(rows) != wireHash(kRows));
    }

    void emptyResultsDifferFromNoRowsOfAnotherCount()
    {
        QCOMPARE(wireHash({}), ResultHasher().value());
        QVERIFY(wireHash({{"", ""}}) != wireHash({}));
    }

    void libpqResultHashesAsItsWireRows()
    {
        PGresult* res = libpqResult(kRows);
        QCOMPARE(PQntuples(res), 4);
        ResultHasher h;
        h.addResult(res);
        PQclear(res);
        QCOMPARE(h.rows(), qint64(4));
        QCOMPARE(h.value(), wireHash(kRows));
    }
};

QTEST_GUILESS_MAIN(TestResultHash)
#include "TestResultHash.moc"
