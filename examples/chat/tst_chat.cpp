// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The chat example offscreen: three copies (a runtime each, as if three programs) find each
// other, a line typed in one shows once in the others, and a copy stopped and started again is
// seen to leave and come back. With PARLEY_CHAT_SCREENSHOT=FILE it saves the three windows side
// by side (the picture in the README and docs/net.md).

#include "chat.h"

#include <QtGui/QPainter>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

using namespace std::chrono_literals;

namespace {

quint16 freePort()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost) ? s.serverPort() : 0;
}

QWidget *windowOf(const QString &name)
{
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (w->isVisible() && w->windowTitle().endsWith(name))
            return w;
    }
    return nullptr;
}
QString people(const QString &name)
{
    QWidget *w = windowOf(name);
    QStringList rows;
    if (auto *list = w ? w->findChild<QListWidget *>() : nullptr) {
        for (int i = 0; i < list->count(); ++i)
            rows << list->item(i)->text();
    }
    return rows.join(QLatin1String(" | "));
}
QString transcript(const QString &name)
{
    QWidget *w = windowOf(name);
    auto *view = w ? w->findChild<QTextBrowser *>() : nullptr;
    return view ? view->toPlainText() : QString();
}
void type(const QString &name, const QString &text)
{
    auto *edit = windowOf(name)->findChild<QLineEdit *>();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

} // namespace

class tst_Chat : public QObject
{
    Q_OBJECT

private slots:
    void peersMeetTalkAndComeBack()
    {
        const QStringList names{QStringLiteral("Ann"), QStringLiteral("Bob"),
                                QStringLiteral("Cid")};
        QList<quint16> ports;
        for (int i = 0; i < 3; ++i)
            ports << freePort();
        QVERIFY(!ports.contains(0));
        auto settingsOf = [&](int i) {
            QStringList peers;
            for (int j = 0; j < 3; ++j) {
                if (j != i)
                    peers << QString::number(ports[j]);
            }
            return ChatSettings{names[i], QStringLiteral("127.0.0.1"), ports[i], peers.join(u',')};
        };
        std::unique_ptr<Parley::Runtime> runtimes[3];
        auto startCopy = [&](int i) {
            runtimes[i] = std::make_unique<Parley::Runtime>(
                Parley::Runtime::Options{.workers = 1, .name = names[i], .stopGrace = 3000ms});
            runtimes[i]->createOn<Chat>(Parley::Placement::Gui, settingsOf(i));
        };
        for (int i = 0; i < 3; ++i)
            startCopy(i);

        // Everyone sees the two others, by name.
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) {
                if (i != j)
                    QTRY_VERIFY_WITH_TIMEOUT(
                        people(names[i]).contains(QStringLiteral("● ") + names[j]), 10000);
            }
            QTRY_VERIFY(transcript(names[i]).contains(u"everyone is here"));
        }

        // A line said by one shows once in each of the others.
        type(names[0], QStringLiteral("hello, room"));
        type(names[1], QStringLiteral("hi Ann"));
        for (int i = 0; i < 3; ++i) {
            QTRY_COMPARE(transcript(names[i]).count(u"Ann: hello, room"), 1);
            QTRY_COMPARE(transcript(names[i]).count(u"Bob: hi Ann"), 1);
        }

        // Cid stops: the others see it leave.
        runtimes[2].reset();
        for (int i = 0; i < 2; ++i) {
            QTRY_VERIFY_WITH_TIMEOUT(people(names[i]).contains(u"○ Cid (away)"), 10000);
            QTRY_VERIFY(transcript(names[i]).contains(u"Cid left"));
        }
        // ... and come back, with no code of theirs for it.
        startCopy(2);
        for (int i = 0; i < 2; ++i) {
            QTRY_VERIFY_WITH_TIMEOUT(people(names[i]).contains(u"● Cid"), 10000);
            QTRY_COMPARE(transcript(names[i]).count(u"everyone is here"), 2);
        }
        QTRY_VERIFY_WITH_TIMEOUT(transcript(names[2]).contains(u"everyone is here"), 10000);
        type(names[2], QStringLiteral("I'm back"));
        for (int i = 0; i < 3; ++i)
            QTRY_COMPARE(transcript(names[i]).count(u"Cid: I'm back"), 1);
        // Nothing was delivered twice.
        for (int i = 0; i < 2; ++i)
            QCOMPARE(transcript(names[i]).count(u"Ann: hello, room"), 1);

        if (const QString file = qEnvironmentVariable("PARLEY_CHAT_SCREENSHOT"); !file.isEmpty()) {
            QList<QPixmap> shots;
            for (const QString &n : names)
                shots << windowOf(n)->grab();
            QPixmap all(shots[0].width() * 3 + 20, shots[0].height());
            all.fill(Qt::white);
            QPainter painter(&all);
            for (int i = 0; i < 3; ++i)
                painter.drawPixmap(i * (shots[0].width() + 10), 0, shots[i]);
            painter.end();
            QVERIFY(all.save(file));
        }
    }
};

QTEST_MAIN(tst_Chat)
#include "tst_chat.moc"
