// SPDX-License-Identifier: GPL-3.0-or-later
#include "Lab.h"

#include <QJsonObject>

namespace doppel {

// `lab status --json` prints this object; scripts depend on the names (issue #2).
QJsonObject LabState::toJson() const
{
    auto cluster = [](const Cluster& c) {
        return QJsonObject{{QStringLiteral("conninfo"), c.conninfo},
                           {QStringLiteral("port"), c.port},
                           {QStringLiteral("pid"), c.pid},
                           {QStringLiteral("data_dir"), c.dataDir}};
    };
    return QJsonObject{
        {QStringLiteral("dir"), dir},
        {QStringLiteral("production"), cluster(production)},
        {QStringLiteral("shadow"), cluster(shadow)},
        {QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), ssh.host},
                                            {QStringLiteral("port"), ssh.port},
                                            {QStringLiteral("user"), ssh.user},
                                            {QStringLiteral("key"), ssh.key},
                                            {QStringLiteral("known_hosts"), ssh.knownHosts},
                                            {QStringLiteral("pid"), ssh.pid}}},
        {QStringLiteral("workload"), QJsonObject{{QStringLiteral("pid"), workload.pid},
                                                 {QStringLiteral("running"), workload.running}}},
    };
}

Result<LabState> LabState::fromJson(const QJsonObject& json)
{
    if (!json.contains(QStringLiteral("production")) || !json.contains(QStringLiteral("ssh")))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("lab.json lacks production or ssh"));
    auto cluster = [](const QJsonObject& o) {
        Cluster c;
        c.conninfo = o.value(QStringLiteral("conninfo")).toString();
        c.port = o.value(QStringLiteral("port")).toInt();
        c.pid = o.value(QStringLiteral("pid")).toInteger();
        c.dataDir = o.value(QStringLiteral("data_dir")).toString();
        return c;
    };
    LabState s;
    s.dir = json.value(QStringLiteral("dir")).toString();
    s.production = cluster(json.value(QStringLiteral("production")).toObject());
    s.shadow = cluster(json.value(QStringLiteral("shadow")).toObject());
    const QJsonObject ssh = json.value(QStringLiteral("ssh")).toObject();
    s.ssh.host = ssh.value(QStringLiteral("host")).toString();
    s.ssh.port = ssh.value(QStringLiteral("port")).toInt();
    s.ssh.user = ssh.value(QStringLiteral("user")).toString();
    s.ssh.key = ssh.value(QStringLiteral("key")).toString();
    s.ssh.knownHosts = ssh.value(QStringLiteral("known_hosts")).toString();
    s.ssh.pid = ssh.value(QStringLiteral("pid")).toInteger();
    const QJsonObject workload = json.value(QStringLiteral("workload")).toObject();
    s.workload.pid = workload.value(QStringLiteral("pid")).toInteger();
    s.workload.running = workload.value(QStringLiteral("running")).toBool();
    return s;
}

} // namespace doppel
