// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The chat example's window and its object, in a header so that tst_chat can run three of them
// in one process. Each copy listens at its own port and shares one connection with every peer
// on its command line through a connection group (peer entries: of two copies, the one with the
// lower port connects): the group says who is present, and losing a peer and getting it back
// needs no code here.
#pragma once

#include <parley/parley.h>

#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>
#include <QtWidgets/QTextBrowser>
#include <QtWidgets/QVBoxLayout>

#include <memory>

struct ChatSettings
{
    QString name = QStringLiteral("Gladys");
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 32020;
    QString peers; ///< the other copies: "port,port" or "host:port,host:port"
};
PARLEY_MESSAGE_AS(ChatSettings, "chat.Settings", name, host, port, peers)

/// A line said in the room.
struct Said
{
    QString name;
    QString text;
};
/// Asks a peer its name; \a entry comes back in the answer.
struct WhoAreYou
{
    QString entry;
};
struct IAm
{
    QString entry;
    QString name;
};
PARLEY_MESSAGE_AS(Said, "chat.Said", name, text)
PARLEY_MESSAGE_AS(WhoAreYou, "chat.WhoAreYou", entry)
PARLEY_MESSAGE_AS(IAm, "chat.IAm", entry, name)

//! [chat]
class Chat : public Parley::Machine
{
public:
    explicit Chat(const ChatSettings &s) : m_name(s.name)
    {
        m_group.listenAt(QStringLiteral("me"), {s.host, s.port})
            .setOnFailure(Parley::GroupTable::OnFailure::Continue);
        for (const QString &peer : s.peers.split(u',', Qt::SkipEmptyParts)) {
            const QString hp = peer.contains(u':') ? peer : s.host + u':' + peer;
            m_group.peer(hp, {hp.section(u':', 0, -2), hp.section(u':', -1).toUShort()});
        }
        on<Parley::Start>([this] {
            makeWindow();
            m_group.create(*this);
        });
        on<Parley::GroupUpdate>([this](const Parley::GroupUpdate &u) {
            m_group.update(u);
            if (u.name != u"me" && u.status == Parley::EntryStatus::Up)
                send(WhoAreYou{u.name}, u.address); // the answer names the row
            showPeople();
        });
        on<WhoAreYou>([this](const WhoAreYou &w) { reply(IAm{w.entry, m_name}); });
        on<IAm>([this](const IAm &i) {
            m_names[i.entry] = i.name;
            showPeople();
        });
        on<Said>([this](const Said &m) { show(m); });
        on<Parley::Ready>([this] { m_view->append(QStringLiteral("<i>everyone is here</i>")); });
        on<Parley::NotReady>([this](const Parley::NotReady &n) {
            m_view->append(QStringLiteral("<i>%1 left</i>").arg(m_names.value(n.name, n.name)));
        });
        // The peers' connections to us come and go; the group's updates already say so.
        on<Parley::Accepted>([] {});
        on<Parley::Abandoned>([] {});
        on<Parley::Closed>([] {});
        on<Parley::ConnectionLost>([] {});
        on<Parley::Stop>([this] { complete(Parley::Aborted{}); });
    }

private:
    void say(const QString &text)
    {
        for (const QString &peer : m_group.names())
            if (peer != u"me" && !m_group[peer].isNull())
                send(Said{m_name, text}, m_group[peer]);
        show(Said{m_name, text});
    }
    void show(const Said &m)
    {
        m_view->append(
            QStringLiteral("<b>%1</b>: %2").arg(m.name.toHtmlEscaped(), m.text.toHtmlEscaped()));
    }
    void showPeople()
    {
        m_people->clear();
        for (const QString &peer : m_group.names()) {
            if (peer == u"me")
                continue;
            const bool here = m_group.status(peer) == Parley::EntryStatus::Up;
            m_people->addItem(here ? QStringLiteral("● %1").arg(m_names.value(peer, peer))
                                   : QStringLiteral("○ %1 (away)").arg(m_names.value(peer, peer)));
        }
    }
    void makeWindow()
    {
        m_window = std::make_unique<QWidget>();
        m_window->setWindowTitle(QStringLiteral("Parley chat — %1").arg(m_name));
        auto *layout = new QVBoxLayout(m_window.get());
        layout->addWidget(new QLabel(QStringLiteral("<b>%1</b> — peers:").arg(m_name)));
        layout->addWidget(m_people = new QListWidget);
        layout->addWidget(m_view = new QTextBrowser);
        auto *input = new QLineEdit;
        input->setPlaceholderText(QStringLiteral("Say something and press Enter"));
        layout->addWidget(input);
        QObject::connect(input, &QLineEdit::returnPressed, m_window.get(), [this, input] {
            say(input->text());
            input->clear();
        });
        m_people->setMaximumHeight(90);
        m_window->resize(360, 320);
        m_window->show();
        showPeople();
    }

    QString m_name;
    Parley::GroupTable m_group;
    QHash<QString, QString> m_names; // entry -> the peer's chat name
    std::unique_ptr<QWidget> m_window;
    QListWidget *m_people = nullptr;
    QTextBrowser *m_view = nullptr;
};
//! [chat]
