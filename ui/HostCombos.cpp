// SPDX-License-Identifier: GPL-3.0-or-later
#include "HostCombos.h"

#include <QComboBox>
#include <QSignalBlocker>

namespace doppel {

void fillHostPairCombos(const std::vector<Host>& hosts, QComboBox* prod, QComboBox* shadow)
{
    const QString prodName = prod->currentText();
    const QString shadowName = shadow->currentText();
    const QSignalBlocker blockProd(prod);
    const QSignalBlocker blockShadow(shadow);
    prod->clear();
    shadow->clear();
    for (const Host& h : hosts)
        (h.role == HostRole::Production ? prod : shadow)->addItem(h.name);
    if (prod->findText(prodName) >= 0)
        prod->setCurrentText(prodName);
    if (shadow->findText(shadowName) >= 0)
        shadow->setCurrentText(shadowName);
}

const Host* findHost(const std::vector<Host>& hosts, const QString& name)
{
    for (const Host& h : hosts)
        if (h.name == name)
            return &h;
    return nullptr;
}

} // namespace doppel
