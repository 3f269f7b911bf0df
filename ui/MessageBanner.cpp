// SPDX-License-Identifier: GPL-3.0-or-later
#include "MessageBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace doppel {

namespace {

struct BannerLook
{
    const char* background;
    const char* border;
    QStyle::StandardPixmap icon;
};

BannerLook lookFor(MessageBanner::Type type)
{
    switch (type) {
    case MessageBanner::Type::Positive:
        return {"#dff3e4", "#2e9d4f", QStyle::SP_DialogApplyButton};
    case MessageBanner::Type::Warning:
        return {"#fff4d6", "#e0a000", QStyle::SP_MessageBoxWarning};
    case MessageBanner::Type::Error:
        return {"#fbe0e0", "#d23c3c", QStyle::SP_MessageBoxCritical};
    case MessageBanner::Type::Information:
        break;
    }
    return {"#e2ecf8", "#3d7cc9", QStyle::SP_MessageBoxInformation};
}

} // namespace

MessageBanner::MessageBanner(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("messageBanner"));
    m_icon = new QLabel(this);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("messageBannerText"));
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close = new QToolButton(this);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    connect(m_close, &QToolButton::clicked, this, &MessageBanner::hideMessage);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);

    m_autoHide.setSingleShot(true);
    connect(&m_autoHide, &QTimer::timeout, this, &MessageBanner::hideMessage);
    hide();
}

QString MessageBanner::text() const
{
    return isHidden() ? QString() : m_text->text();
}

void MessageBanner::showMessage(const QString& text, Type type, int autoHideMs)
{
    m_type = type;
    const BannerLook look = lookFor(type);
    // Scoped to this frame by object name so child widgets keep the platform look.
    setStyleSheet(QStringLiteral("QFrame#messageBanner { background: %1; border: 1px solid %2;"
                                 " border-radius: 4px; } QLabel { color: #202020; }")
                      .arg(QLatin1String(look.background), QLatin1String(look.border)));
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()->standardIcon(look.icon).pixmap(size, size));
    m_text->setText(text);
    m_autoHide.stop();
    if (autoHideMs > 0)
        m_autoHide.start(autoHideMs);
    show();
}

void MessageBanner::hideMessage()
{
    m_autoHide.stop();
    hide();
}

} // namespace doppel
