// SPDX-License-Identifier: GPL-3.0-or-later
// The Capture view's reading of doppel-proxy's Prometheus text: HTTP headers, HELP and TYPE
// lines and other exporters' samples are skipped; labels are dropped from the name; a sample
// whose value does not parse is left out rather than read as zero.
#include "capture/ConnectorCaptureService.h"

#include <QtTest>

using namespace doppel;

class TestPrometheusText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("present");
        QTest::addColumn<double>("value");
        const QByteArray response =
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n"
            "# HELP doppel_proxy_sessions_active Client sessions open now.\n"
            "# TYPE doppel_proxy_sessions_active gauge\n"
            "doppel_proxy_sessions_active 2\n"
            "doppel_proxy_statements_captured_total 12345678901\n"
            "doppel_proxy_mirror_queue_depth{worker=\"1\"} 7\r\n"
            "process_cpu_seconds_total 3\n"
            "doppel_proxy_capture_dropped_total NaNx\n";
        QTest::newRow("a gauge after the headers")
            << response << "doppel_proxy_sessions_active" << true << 2.0;
        QTest::newRow("a counter beyond 32 bits")
            << response << "doppel_proxy_statements_captured_total" << true << 12345678901.0;
        QTest::newRow("labels and CRLF")
            << response << "doppel_proxy_mirror_queue_depth" << true << 7.0;
        QTest::newRow("another exporter's sample")
            << response << "process_cpu_seconds_total" << false << 0.0;
        QTest::newRow("a value that does not parse")
            << response << "doppel_proxy_capture_dropped_total" << false << 0.0;
        QTest::newRow("a HELP line is not a sample")
            << QByteArray("# HELP doppel_proxy_x 5\n") << "doppel_proxy_x" << false << 0.0;
        QTest::newRow("empty") << QByteArray() << "doppel_proxy_sessions_active" << false << 0.0;
    }
    void parses()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, name);
        QFETCH(bool, present);
        QFETCH(double, value);
        const ProxyCounters c = capture::parsePrometheusText(text);
        QCOMPARE(c.has(name), present);
        QCOMPARE(c.value(name), value);
    }
};

QTEST_MAIN(TestPrometheusText)
#include "TestPrometheusText.moc"
