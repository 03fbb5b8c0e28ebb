// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The frame layer of docs/protocol.md without sockets: exact bytes, the aliasing rules, the
// relay path, and the parser's answers to prefixes and to every malformed header it must refuse.

#include "net/frame_p.h"

#include <parley/codec.h>
#include <parley/messages.h>

#include "rawframes.h"
#include <QtCore/QtEndian>

#include <QtTest/QtTest>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

// Counts the bytes this process asks operator new for (library code included: the replacement
// is global), so a test can bound what decoding one frame allocates.
static std::atomic<qint64> allocatedBytes{0};

void *operator new(std::size_t size)
{
    allocatedBytes.fetch_add(qint64(size), std::memory_order_relaxed);
    if (void *p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t size)
{
    return ::operator new(size); // a sanitizer's runtime would otherwise take these uncounted
}
void operator delete(void *p) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void *p) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    std::free(p);
}

using namespace Parley;

namespace FrameTest {

/// An address nested one struct deep.
struct Spot
{
    Parley::Address where;
    QString name;
};
/// Addresses in every position a body can hold them, plus other field kinds.
struct Routes
{
    Parley::Address one;
    std::vector<Parley::Address> many;
    Spot spot;
    QString text;
    QByteArray bytes;
    Parley::Value any;
};
/// A payload whose size the tests choose.
struct Payload
{
    QByteArray bytes;
};
/// A message that works in-process only: its field has no codec.
struct LocalOnly
{
    std::shared_ptr<int> p;
};

PARLEY_MESSAGE_AS(Spot, "frametest.Spot", where, name)
PARLEY_MESSAGE_AS(Routes, "frametest.Routes", one, many, spot, text, bytes, any)
PARLEY_MESSAGE_AS(Payload, "frametest.Payload", bytes)
PARLEY_MESSAGE_AS(LocalOnly, "frametest.LocalOnly", p)

} // namespace FrameTest

using namespace FrameTest;

Q_DECLARE_METATYPE(Parley::Address)

namespace Parley {
// Lets QCOMPARE print addresses.
char *toString(const Address &address)
{
    return qstrdup(qPrintable(address.toString()));
}
} // namespace Parley
Q_DECLARE_METATYPE(Parley::Wire::PreambleCheck)

namespace {

using namespace RawFrames;

const Address Home{77};

/// A well-formed message frame of type "t.X" with body {} and the given raw book bytes.
QByteArray messageWithBook(const QByteArray &book)
{
    return rawFrame(1, 1, 1, 3, 1, u64s({1}) + u64s({2}) + "t.X" + '\xa0' + book);
}

Routes sampleRoutes()
{
    Routes r;
    r.one = Address{2, 4, 6};
    r.many = {Address{6}, Address{7, 8}};
    r.spot = Spot{Address(), QStringLiteral("nowhere")};
    r.text = QStringLiteral("Grüße 🙂");
    r.bytes = QByteArray("\0\1\2\xff", 4);
    r.any = Value(Spot{Address{11}, QStringLiteral("inside")});
    return r;
}

/// Encodes \a message from \a from to \a to through \a proxy and parses it back.
bool encodeAndParse(const Value &message, const Address &to, const Address &from, Address::Id proxy,
                    QByteArray &bytes, Wire::Frame &frame)
{
    QString error;
    if (!Wire::appendMessage(bytes, to, from, message, proxy, 1 << 20, error)) {
        qWarning() << "appendMessage:" << error;
        return false;
    }
    qsizetype consumed = 0, needed = 0;
    if (Wire::parseFrame(bytes, 1 << 20, frame, consumed, needed, error) != Wire::ParseStatus::Ok
        || consumed != bytes.size()) {
        qWarning() << "parseFrame:" << error << consumed << bytes.size();
        return false;
    }
    return true;
}

/// Applies the incoming rules at \a proxy to every book entry and decodes the body.
Routes arrive(Wire::Frame &frame, Address::Id proxy)
{
    for (Address &a : frame.book)
        Wire::aliasIncoming(a, proxy, Home);
    DecodeContext context;
    context.addressBook = &frame.book;
    DecodeResult r = decodeBody(frame.body, typeOf<Routes>(), context);
    if (!r) {
        qWarning() << "decodeBody:" << r.error().toString();
        return {};
    }
    return std::move(r.value().get<Routes>());
}

} // namespace

class tst_Frame : public QObject
{
    Q_OBJECT

private slots:
    void anAckFrameIsByteExact();
    void bodyAddressesFollowTheReferenceVectors_data();
    void bodyAddressesFollowTheReferenceVectors();
    void fromIsAliasedButToTravelsAsItIs();
    void anIdOfAllOnesIsNotMistakenForTheProxy();
    void aMessageSurvivesTheRoundTrip();
    void aRelayedFrameKeepsItsBodyAndRewritesOnlyTheBook();
    void everyProperPrefixOfAFrameNeedsMore();
    void aBadLengthIsRefusedFromItsFourBytes_data();
    void aBadLengthIsRefusedFromItsFourBytes();
    void malformedFramesAreRefused_data();
    void malformedFramesAreRefused();
    void controlFramesParse();
    void framesBackToBackParseOneAtATime();
    void preambles_data();
    void preambles();
    void everyProperPrefixOfAPreambleNeedsMore();
    void aFrameOverTheLimitIsRefusedAndLeavesTheBufferAlone();
    void unsendableMessagesAreRefusedAndLeaveTheBufferAlone();
    void aRelayOverTheLimitIsRefusedAndLeavesTheBufferAlone();
    void aSmallFrameDoesNotDecodeIntoAHugeMessage();
    // Last: under UBSan a failure here aborts the process.
    void aPreambleCheckOfNothingNeedsMore();
};

void tst_Frame::anAckFrameIsByteExact()
{
    // docs/protocol.md, section 2, "Example".
    const QByteArray expected = QByteArray::fromHex("23000000"
                                                    "0101010a"
                                                    "01000000"
                                                    "1300000000000000"
                                                    "1200000000000000"
                                                    "7061726c65792e41636b"
                                                    "a0");
    QByteArray out;
    QString error;
    QVERIFY2(Wire::appendMessage(out, Address(19), Address(18), Value(Ack{}), 19, 1 << 20, error),
             qPrintable(error));
    QCOMPARE(out.toHex(' '), expected.toHex(' '));
    QVERIFY(error.isEmpty());
    // And it parses back to what went in.
    Wire::Frame frame;
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(out, 1 << 20, frame, consumed, needed, error), Wire::ParseStatus::Ok);
    QCOMPARE(consumed, qsizetype(35 + 4));
    QCOMPARE(frame.kind, Wire::Kind::Message);
    QCOMPARE(frame.to, Address(19));
    QCOMPARE(frame.from, Address(18));
    QCOMPARE(frame.type, QByteArrayView("parley.Ack"));
    QCOMPARE(frame.body, QByteArrayView("\xa0"));
    QVERIFY(frame.book.empty());
}

void tst_Frame::bodyAddressesFollowTheReferenceVectors_data()
{
    QTest::addColumn<quint64>("outProxy");
    QTest::addColumn<Address>("address");
    QTest::addColumn<Address>("written");
    QTest::addColumn<quint64>("inProxy");
    QTest::addColumn<Address>("arrives");

    QTest::newRow("another proxy's address passes through and gains a hop")
        << quint64(26) << Address{2, 4, 6} << Address{2, 4, 6} << quint64(32)
        << Address{2, 4, 6, 32};
    QTest::newRow("trombone: back through its own proxy it goes home")
        << quint64(6) << Address{2, 4, 6} << Address{2, 4, 0} << quint64(9) << Address{2, 4};
    QTest::newRow("the bare proxy goes home to the controller")
        << quint64(6) << Address{6} << Address{0} << quint64(9) << Home;
    QTest::newRow("a local object gains the proxy")
        << quint64(6) << Address{5} << Address{5} << quint64(9) << Address{5, 9};
    QTest::newRow("null stays null")
        << quint64(6) << Address() << Address() << quint64(9) << Address();
}

void tst_Frame::bodyAddressesFollowTheReferenceVectors()
{
    QFETCH(quint64, outProxy);
    QFETCH(Address, address);
    QFETCH(Address, written);
    QFETCH(quint64, inProxy);
    QFETCH(Address, arrives);

    // The address in every position: a field, a list, a nested struct, an any-message.
    Routes r;
    r.one = address;
    r.many = {address, address};
    r.spot = Spot{address, QStringLiteral("nested")};
    r.any = Value(Spot{address, QStringLiteral("any")});

    QByteArray bytes;
    Wire::Frame frame;
    QVERIFY(encodeAndParse(Value(r), Address{1, outProxy}, Address(3), outProxy, bytes, frame));
    // One book entry per address in the body, each written by the outgoing rule.
    QCOMPARE(frame.book.size(), size_t(5));
    for (const Address &a : frame.book)
        QCOMPARE(a, written);

    const Routes back = arrive(frame, inProxy);
    QCOMPARE(back.one, arrives);
    QCOMPARE(back.many.size(), size_t(2));
    QCOMPARE(back.many[0], arrives);
    QCOMPARE(back.many[1], arrives);
    QCOMPARE(back.spot.where, arrives);
    QCOMPARE(back.spot.name, QStringLiteral("nested"));
    QVERIFY(back.any.is<Spot>());
    QCOMPARE(back.any.get<Spot>().where, arrives);
}

void tst_Frame::fromIsAliasedButToTravelsAsItIs()
{
    struct Case
    {
        Address to, from;
        Address::Id proxy;
        Address writtenTo, writtenFrom;
    };
    const Case cases[] = {
        // `to` ends in the proxy by construction: it is written as it is.
        {Address{5, 6}, Address{7, 6}, 6, Address{5, 6}, Address{7, 0}},
        {Address{6}, Address{6}, 6, Address{6}, Address{0}},
        {Address{5, 6}, Address{7, 8}, 6, Address{5, 6}, Address{7, 8}},
        {Address{5, 6}, Address{3}, 6, Address{5, 6}, Address{3}},
        {Address{6}, Address(), 6, Address{6}, Address()},
    };
    for (const Case &c : cases) {
        QByteArray bytes;
        Wire::Frame frame;
        QVERIFY(encodeAndParse(Value(Ack{}), c.to, c.from, c.proxy, bytes, frame));
        QCOMPARE(frame.to, c.writtenTo);
        QCOMPARE(frame.from, c.writtenFrom);
    }
    // Incoming, `from` follows the book's rules.
    Address from{7, 0};
    Wire::aliasIncoming(from, 9, Home);
    QCOMPARE(from, Address{7});
    from = Address{0};
    Wire::aliasIncoming(from, 9, Home);
    QCOMPARE(from, Home);
    from = Address{7, 8};
    Wire::aliasIncoming(from, 9, Home);
    QCOMPARE(from, (Address{7, 8, 9}));
    from = Address();
    Wire::aliasIncoming(from, 9, Home);
    QVERIFY(from.isNull());
}

void tst_Frame::anIdOfAllOnesIsNotMistakenForTheProxy()
{
    // Only an address whose last id is the proxy goes home. An id of all ones is no proxy here,
    // and a peer can put any id into an address that this process relays.
    constexpr Address::Id allOnes = ~Address::Id(0);
    QByteArray bytes;
    Wire::Frame frame;
    QVERIFY(encodeAndParse(Value(Routes{Address{7, allOnes}, {}, {}, {}, {}, {}}), Address{5, 6},
                           Address{7, allOnes}, 6, bytes, frame));
    QCOMPARE(frame.book.front(), (Address{7, allOnes})); // the body's address: right
    QCOMPARE(frame.from, (Address{7, allOnes}));         // `from`: written as [7, 0]
    // The relay path writes `from` the same way.
    QByteArray relayed;
    QString error;
    QVERIFY(Wire::appendEncoded(relayed, Address{5, 6}, Address{7, allOnes}, "t.X", "\xa0", {}, 6,
                                1 << 20, error));
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(relayed, 1 << 20, frame, consumed, needed, error),
             Wire::ParseStatus::Ok);
    QCOMPARE(frame.from, (Address{7, allOnes}));
}

void tst_Frame::aMessageSurvivesTheRoundTrip()
{
    const Routes sent = sampleRoutes();
    QByteArray bytes;
    Wire::Frame frame;
    // Through proxy 50, which no address in the message ends with.
    QVERIFY(encodeAndParse(Value(sent), Address{1, 50}, Address(3), 50, bytes, frame));
    QCOMPARE(frame.type, QByteArrayView("frametest.Routes"));
    QCOMPARE(frame.book.size(), size_t(5));

    // Decoded with the book as it arrived (no aliasing), it is the message that was sent.
    DecodeContext context;
    context.addressBook = &frame.book;
    DecodeResult r = decodeBody(frame.body, typeOf<Routes>(), context);
    QVERIFY2(r.hasValue(), qPrintable(r ? QString() : r.error().toString()));
    QVERIFY(r.value().is<Routes>());
    const Routes &got = r.value().get<Routes>();
    QCOMPARE(got.one, sent.one);
    QCOMPARE(got.many, sent.many);
    QCOMPARE(got.spot.where, sent.spot.where);
    QCOMPARE(got.spot.name, sent.spot.name);
    QCOMPARE(got.text, sent.text);
    QCOMPARE(got.bytes, sent.bytes);
    QVERIFY(got.any.is<Spot>());
    QCOMPARE(got.any.get<Spot>().where, sent.any.get<Spot>().where);
    QCOMPARE(got.any.get<Spot>().name, sent.any.get<Spot>().name);
    // The decoded message encodes to the same frame.
    QByteArray again;
    QString error;
    QVERIFY(Wire::appendMessage(again, Address{1, 50}, Address(3), r.value(), 50, 1 << 20, error));
    QCOMPARE(again.toHex(), bytes.toHex());

    // A body decoded without its book is refused, not misread.
    DecodeContext noBook;
    QVERIFY(!decodeBody(frame.body, typeOf<Routes>(), noBook).hasValue());
    // A book one entry short is refused with the index in the error.
    std::vector<Address> shortBook(frame.book.begin(), frame.book.end() - 1);
    context.addressBook = &shortBook;
    DecodeResult bad = decodeBody(frame.body, typeOf<Routes>(), context);
    QVERIFY(!bad.hasValue());
    QVERIFY2(bad.error().toString().contains(QStringLiteral("outside the frame's book")),
             qPrintable(bad.error().toString()));
}

void tst_Frame::aRelayedFrameKeepsItsBodyAndRewritesOnlyTheBook()
{
    QByteArray first;
    Wire::Frame original;
    QVERIFY(encodeAndParse(Value(sampleRoutes()), Address{1, 50}, Address(3), 50, first, original));
    // Book as it arrived: [2,4,6], [6], [7,8], null, [11].
    QCOMPARE(original.book,
             (std::vector<Address>{Address{2, 4, 6}, Address{6}, Address{7, 8}, Address(),
                                   Address{11}}));

    // Relayed through proxy 6: only the book's entries ending in 6 change.
    QByteArray relayed("prefix");
    QString error;
    QVERIFY2(Wire::appendEncoded(relayed, Address{1, 2, 6}, Address{4, 6}, original.type,
                                 original.body, original.book, 6, 1 << 20, error),
             qPrintable(error));
    QVERIFY(relayed.startsWith("prefix"));
    const QByteArrayView frameBytes = QByteArrayView(relayed).sliced(6);
    Wire::Frame frame;
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(frameBytes, 1 << 20, frame, consumed, needed, error),
             Wire::ParseStatus::Ok);
    QCOMPARE(consumed, frameBytes.size());
    QCOMPARE(frame.to, (Address{1, 2, 6}));
    QCOMPARE(frame.from, (Address{4, 0}));
    QCOMPARE(frame.type, original.type);
    // The body is the same bytes: never decoded, never re-encoded.
    QCOMPARE(frame.body.toByteArray().toHex(), original.body.toByteArray().toHex());
    QCOMPARE(frame.book,
             (std::vector<Address>{Address{2, 4, 0}, Address{0}, Address{7, 8}, Address(),
                                   Address{11}}));
    // The header counts and the layout match what appendMessage writes.
    QCOMPARE(frameBytes.size(), first.size() + 8 /*one more id in to*/ + 8 /*and in from*/);

    // At the next hop, through proxy 9, the body decodes against the rewritten book.
    const Routes r = arrive(frame, 9);
    QCOMPARE(r.one, (Address{2, 4}));
    QCOMPARE(r.many, (std::vector<Address>{Home, Address{7, 8, 9}}));
    QVERIFY(r.spot.where.isNull());
    QVERIFY(r.any.is<Spot>());
    QCOMPARE(r.any.get<Spot>().where, (Address{11, 9}));
    QCOMPARE(r.text, sampleRoutes().text);
}

void tst_Frame::everyProperPrefixOfAFrameNeedsMore()
{
    QByteArray bytes;
    Wire::Frame frame;
    QVERIFY(encodeAndParse(Value(sampleRoutes()), Address{1, 50}, Address(3), 50, bytes, frame));
    for (qsizetype n = 0; n < bytes.size(); ++n) {
        Wire::Frame f;
        qsizetype consumed = -1, needed = -1;
        QString error;
        const auto status
            = Wire::parseFrame(QByteArrayView(bytes).first(n), 1 << 20, f, consumed, needed, error);
        QVERIFY2(status == Wire::ParseStatus::NeedMore,
                 qPrintable(QStringLiteral("prefix %1: %2").arg(n).arg(error)));
        QCOMPARE(consumed, qsizetype(0));
        // Once the length is readable, the parser says how much the whole frame needs.
        QCOMPARE(needed, n < Wire::LengthSize ? qsizetype(0) : bytes.size());
    }
    // The same holds for a ping and for a close with a note.
    QByteArray control;
    Wire::appendControl(control, Wire::Kind::Close, "bye");
    for (qsizetype n = 0; n < control.size(); ++n) {
        Wire::Frame f;
        qsizetype consumed = -1, needed = -1;
        QString error;
        QCOMPARE(
            Wire::parseFrame(QByteArrayView(control).first(n), 1 << 20, f, consumed, needed, error),
            Wire::ParseStatus::NeedMore);
        QCOMPARE(needed, n < Wire::LengthSize ? qsizetype(0) : control.size());
    }
}

void tst_Frame::aBadLengthIsRefusedFromItsFourBytes_data()
{
    QTest::addColumn<quint32>("length");
    QTest::addColumn<qsizetype>("maxFrameSize");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("0") << quint32(0) << qsizetype(1 << 20) << QStringLiteral("shorter than");
    QTest::newRow("7") << quint32(7) << qsizetype(1 << 20) << QStringLiteral("shorter than");
    QTest::newRow("max + 1") << quint32(1025) << qsizetype(1024)
                             << QStringLiteral("exceeds the limit of 1024");
    QTest::newRow("1 MiB + 1") << quint32((1 << 20) + 1) << qsizetype(1 << 20)
                               << QStringLiteral("exceeds the limit");
    QTest::newRow("10^6 ids (8 MB)")
        << quint32(8 + 8 * 1000000) << qsizetype(1 << 20) << QStringLiteral("exceeds the limit");
    QTest::newRow("0xFFFFFFFF at the largest limit")
        << quint32(0xFFFFFFFF) << Wire::MaxFrameLimit << QStringLiteral("4294967295 exceeds");
}

void tst_Frame::aBadLengthIsRefusedFromItsFourBytes()
{
    QFETCH(quint32, length);
    QFETCH(qsizetype, maxFrameSize);
    QFETCH(QString, fragment);
    // Only the length has arrived: the parser refuses at once instead of waiting (and
    // allocating) for the rest.
    Wire::Frame frame;
    qsizetype consumed = -1, needed = -1;
    QString error;
    QCOMPARE(Wire::parseFrame(u32(length), maxFrameSize, frame, consumed, needed, error),
             Wire::ParseStatus::Error);
    QVERIFY2(error.contains(fragment), qPrintable(error));
    QCOMPARE(consumed, qsizetype(0));
    QCOMPARE(needed, qsizetype(0));
}

void tst_Frame::malformedFramesAreRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("fragment");

    const QByteArray to1 = u64s({1}), from1 = u64s({2});
    QByteArray ids65;
    for (int i = 0; i < 65; ++i)
        ids65 += u64s({quint64(i + 1)});

    QTest::newRow("toCount 65") << rawFrame(1, 65, 0, 3, 1, ids65 + "t.X" + '\xa0')
                                << QStringLiteral("65 hops exceeds the limit of 64");
    QTest::newRow("fromCount 65") << rawFrame(1, 0, 65, 3, 1, ids65 + "t.X" + '\xa0')
                                  << QStringLiteral("65 hops exceeds the limit of 64");
    QTest::newRow("toCount 255") << rawFrame(1, 255, 0, 3, 1, ids65 + "t.X" + '\xa0')
                                 << QStringLiteral("255 hops exceeds the limit of 64");
    QTest::newRow("a book entry of 200 ids")
        << messageWithBook(QByteArray(1, char(200)) + QByteArray(200 * 8, '\x01'))
        << QStringLiteral("a body address of 200 hops exceeds the limit of 64");
    QTest::newRow("a book entry of 65 ids")
        << messageWithBook(QByteArray(1, char(65)) + QByteArray(65 * 8, '\x01'))
        << QStringLiteral("a body address of 65 hops");
    QTest::newRow("a book entry overrunning the frame")
        << messageWithBook(QByteArray(1, char(2)) + u64s({5}))
        << QStringLiteral("a body address overruns its frame");
    QTest::newRow("a book of 65537 entries")
        << messageWithBook(QByteArray(65537, '\0'))
        << QStringLiteral("more than 65536 addresses in one message");
    QTest::newRow("a body overrunning the length")
        << rawFrame(1, 1, 1, 3, 100, to1 + from1 + "t.X" + '\xa0') << QStringLiteral("overrun");
    QTest::newRow("a body length of 0xFFFFFFFF")
        << rawFrame(1, 1, 1, 3, 0xFFFFFFFF, to1 + from1 + "t.X" + '\xa0')
        << QStringLiteral("overrun");
    QTest::newRow("a type name overrunning the length")
        << rawFrame(1, 0, 0, 200, 0, QByteArray(10, 'x')) << QStringLiteral("overrun");
    QTest::newRow("ids overrunning the length")
        << rawFrame(1, 64, 64, 3, 1, to1 + from1 + "t.X" + '\xa0') << QStringLiteral("overrun");
    QTest::newRow("a message without a type name")
        << rawFrame(1, 1, 1, 0, 1, to1 + from1 + '\xa0')
        << QStringLiteral("a message frame without a type name");
    QTest::newRow("unknown kind 9")
        << rawFrame(9, 0, 0, 0, 0, {}) << QStringLiteral("unknown frame kind 9");
    QTest::newRow("unknown kind 0")
        << rawFrame(0, 0, 0, 0, 0, {}) << QStringLiteral("unknown frame kind 0");
    QTest::newRow("unknown kind 255") << rawFrame(255, 1, 1, 3, 1, to1 + from1 + "t.X" + '\xa0')
                                      << QStringLiteral("unknown frame kind 255");
    QTest::newRow("a ping with an address")
        << rawFrame(2, 1, 0, 0, 0, to1) << QStringLiteral("a control frame with addresses");
    QTest::newRow("a pong with a from address")
        << rawFrame(3, 0, 1, 0, 0, from1) << QStringLiteral("a control frame with addresses");
    QTest::newRow("a close with a type name")
        << rawFrame(4, 0, 0, 3, 0, "t.X") << QStringLiteral("a control frame with addresses");
    QTest::newRow("a ping with a body")
        << rawFrame(2, 0, 0, 0, 3, "abc") << QStringLiteral("a control frame with a body of 3");
    QTest::newRow("a pong with a body")
        << rawFrame(3, 0, 0, 0, 1, "a") << QStringLiteral("a control frame with a body of 1");
    QTest::newRow("a ping with bytes after its header")
        << rawFrame(2, 0, 0, 0, 0, "abc") << QStringLiteral("a control frame with a body");
    QTest::newRow("a close whose note overruns the length")
        << rawFrame(4, 0, 0, 0, 10, "abc") << QStringLiteral("a control frame with a body of 10");
    QTest::newRow("a close note of 1025 bytes")
        << rawFrame(4, 0, 0, 0, 1025, QByteArray(1025, 'n'))
        << QStringLiteral("a control frame with a body of 1025");
}

void tst_Frame::malformedFramesAreRefused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, fragment);
    Wire::Frame frame;
    qsizetype consumed = -1, needed = -1;
    QString error;
    QCOMPARE(Wire::parseFrame(bytes, 1 << 20, frame, consumed, needed, error),
             Wire::ParseStatus::Error);
    QVERIFY2(error.contains(fragment), qPrintable(error));
    QCOMPARE(consumed, qsizetype(0));
    // Followed by anything, it is refused the same way: the frame is judged on its own bytes.
    QString again;
    QCOMPARE(
        Wire::parseFrame(bytes + QByteArray(64, '\x01'), 1 << 20, frame, consumed, needed, again),
        Wire::ParseStatus::Error);
    QCOMPARE(again, error);
}

void tst_Frame::controlFramesParse()
{
    struct Case
    {
        Wire::Kind kind;
        QByteArray note;
        QByteArray expectedBody;
    };
    const QByteArray longNote(1024, 'n');
    const Case cases[] = {
        {Wire::Kind::Ping, {}, {}},
        {Wire::Kind::Pong, {}, {}},
        {Wire::Kind::Close, {}, {}},
        {Wire::Kind::Close, "closed on request", "closed on request"},
        {Wire::Kind::Close, longNote, longNote},
        // appendControl cuts a longer note to the limit, so its frame is always accepted.
        {Wire::Kind::Close, longNote + "xyz", longNote},
    };
    for (const Case &c : cases) {
        QByteArray bytes;
        Wire::appendControl(bytes, c.kind, c.note);
        QCOMPARE(bytes.size(), 12 + c.expectedBody.size());
        Wire::Frame frame;
        qsizetype consumed = 0, needed = 0;
        QString error;
        QCOMPARE(Wire::parseFrame(bytes, 1 << 20, frame, consumed, needed, error),
                 Wire::ParseStatus::Ok);
        QCOMPARE(consumed, bytes.size());
        QCOMPARE(frame.kind, c.kind);
        QCOMPARE(frame.body.toByteArray(), c.expectedBody);
        QVERIFY(frame.to.isNull());
        QVERIFY(frame.from.isNull());
        QVERIFY(frame.type.isEmpty());
        QVERIFY(frame.book.empty());
    }
    // A ping is exactly its header: length 8, kind 2, all zero.
    QByteArray ping;
    Wire::appendControl(ping, Wire::Kind::Ping);
    QCOMPARE(ping.toHex(), QByteArray("080000000200000000000000"));
}

void tst_Frame::framesBackToBackParseOneAtATime()
{
    QByteArray stream;
    Wire::appendControl(stream, Wire::Kind::Ping);
    const qsizetype pingSize = stream.size();
    QString error;
    QVERIFY(Wire::appendMessage(stream, Address{1, 50}, Address(3), Value(sampleRoutes()), 50,
                                1 << 20, error));
    const qsizetype messageSize = stream.size() - pingSize;
    QVERIFY(Wire::appendMessage(stream, Address(50), Address(4), Value(Ack{}), 50, 1 << 20, error));
    const qsizetype ackSize = stream.size() - pingSize - messageSize;
    Wire::appendControl(stream, Wire::Kind::Close, "bye");
    const qsizetype closeSize = stream.size() - pingSize - messageSize - ackSize;

    QByteArrayView rest(stream);
    const struct
    {
        Wire::Kind kind;
        qsizetype size;
    } expected[] = {{Wire::Kind::Ping, pingSize},
                    {Wire::Kind::Message, messageSize},
                    {Wire::Kind::Message, ackSize},
                    {Wire::Kind::Close, closeSize}};
    for (const auto &e : expected) {
        Wire::Frame frame;
        qsizetype consumed = 0, needed = 0;
        QCOMPARE(Wire::parseFrame(rest, 1 << 20, frame, consumed, needed, error),
                 Wire::ParseStatus::Ok);
        QCOMPARE(frame.kind, e.kind);
        QCOMPARE(consumed, e.size);
        QCOMPARE(needed, e.size);
        rest = rest.sliced(consumed);
    }
    QVERIFY(rest.isEmpty());

    // The second frame decodes; the third is the Ack.
    rest = QByteArrayView(stream).sliced(pingSize);
    Wire::Frame frame;
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(rest, 1 << 20, frame, consumed, needed, error),
             Wire::ParseStatus::Ok);
    QCOMPARE(arrive(frame, 9).text, sampleRoutes().text);
    rest = rest.sliced(consumed);
    QCOMPARE(Wire::parseFrame(rest, 1 << 20, frame, consumed, needed, error),
             Wire::ParseStatus::Ok);
    QCOMPARE(frame.type, QByteArrayView("parley.Ack"));
    QCOMPARE(frame.from, Address(4));
}

void tst_Frame::preambles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Wire::PreambleCheck>("expected");

    QByteArray ours;
    Wire::appendPreamble(ours);
    QTest::newRow("ours") << ours << Wire::PreambleCheck::Ok;
    QTest::newRow("ours, then a frame") << ours + QByteArray(12, '\x08') << Wire::PreambleCheck::Ok;
    QTest::newRow("exact bytes") << QByteArray("PRLY\x02\x00\x00\x00", 8)
                                 << Wire::PreambleCheck::Ok;
    QTest::newRow("HTTP") << QByteArray("GET / HTTP/1.1\r\n") << Wire::PreambleCheck::NotParley;
    QTest::newRow("HTTP, first byte") << QByteArray("G") << Wire::PreambleCheck::NotParley;
    QTest::newRow("wrong third byte") << QByteArray("PRX") << Wire::PreambleCheck::NotParley;
    QTest::newRow("lower case") << QByteArray("prly\x02\x00\x00\x00", 8)
                                << Wire::PreambleCheck::NotParley;
    QTest::newRow("version 1") << QByteArray("PRLY\x01\x00\x00\x00", 8)
                               << Wire::PreambleCheck::WrongVersion;
    QTest::newRow("version 3") << QByteArray("PRLY\x03\x00\x00\x00", 8)
                               << Wire::PreambleCheck::WrongVersion;
    QTest::newRow("version 0") << QByteArray("PRLY\x00\x00\x00\x00", 8)
                               << Wire::PreambleCheck::WrongVersion;
    QTest::newRow("encrypted") << QByteArray("PRLY\x02\x01\x00\x00", 8)
                               << Wire::PreambleCheck::WrongMode;
    QTest::newRow("mode 2 is not a mode")
        << QByteArray("PRLY\x02\x02\x00\x00", 8) << Wire::PreambleCheck::NotParley;
}

void tst_Frame::preambles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Wire::PreambleCheck, expected);
    QCOMPARE(Wire::checkPreamble(bytes), expected);
}

void tst_Frame::everyProperPrefixOfAPreambleNeedsMore()
{
    QByteArray ours;
    Wire::appendPreamble(ours);
    QCOMPARE(ours.size(), Wire::PreambleSize);
    QCOMPARE(ours.toHex(), QByteArray("50524c5902000000"));
    for (qsizetype n = 0; n < ours.size(); ++n)
        QCOMPARE(Wire::checkPreamble(QByteArrayView(ours).first(n)), Wire::PreambleCheck::NeedMore);
    // An encrypted end's preamble, checked by an encrypted end.
    QByteArray encrypted;
    Wire::appendPreamble(encrypted, Wire::Mode::Encrypted);
    QCOMPARE(Wire::checkPreamble(encrypted, Wire::Mode::Encrypted), Wire::PreambleCheck::Ok);
    QCOMPARE(Wire::checkPreamble(ours, Wire::Mode::Encrypted), Wire::PreambleCheck::WrongMode);
}

void tst_Frame::aPreambleCheckOfNothingNeedsMore()
{
    // A null view (a QByteArray that never held anything) is a valid, empty input; it must not
    // reach memcmp as a null pointer (undefined even for zero bytes; UBSan aborts on it).
    QCOMPARE(Wire::checkPreamble(QByteArrayView()), Wire::PreambleCheck::NeedMore);
    QCOMPARE(Wire::checkPreamble(QByteArray()), Wire::PreambleCheck::NeedMore);
}

void tst_Frame::aFrameOverTheLimitIsRefusedAndLeavesTheBufferAlone()
{
    // Find the payload size whose frame is exactly 1024 bytes after its length field.
    QByteArray probe;
    QString error;
    QVERIFY(Wire::appendMessage(probe, Address(5), Address(3), Value(Payload{QByteArray(900, 'p')}),
                                5, 1 << 20, error));
    const qsizetype fits = 900 + 1024 - (probe.size() - Wire::LengthSize);

    const QByteArray before("earlier frames");
    QByteArray out = before;
    QVERIFY2(Wire::appendMessage(out, Address(5), Address(3), Value(Payload{QByteArray(fits, 'p')}),
                                 5, 1024, error),
             qPrintable(error));
    QCOMPARE(out.size(), before.size() + 4 + 1024);

    out = before;
    error.clear();
    QVERIFY(!Wire::appendMessage(out, Address(5), Address(3),
                                 Value(Payload{QByteArray(fits + 1, 'p')}), 5, 1024, error));
    QVERIFY2(error.contains(QStringLiteral("1025")) && error.contains(QStringLiteral("1024")),
             qPrintable(error));
    QCOMPARE(out, before);

    // Far over: the same.
    QVERIFY(!Wire::appendMessage(out, Address(5), Address(3),
                                 Value(Payload{QByteArray(1 << 20, 'p')}), 5, 1 << 20, error));
    QVERIFY2(error.contains(QStringLiteral("exceeds the limit")), qPrintable(error));
    QCOMPARE(out, before);
    // And what is appended next starts where the refused frame would have.
    QVERIFY(Wire::appendMessage(out, Address(5), Address(3), Value(Ack{}), 5, 1024, error));
    QCOMPARE(out.left(before.size()), before);
    Wire::Frame frame;
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(QByteArrayView(out).sliced(before.size()), 1024, frame, consumed,
                              needed, error),
             Wire::ParseStatus::Ok);
}

void tst_Frame::unsendableMessagesAreRefusedAndLeaveTheBufferAlone()
{
    const QByteArray before("earlier frames");
    std::vector<Address::Id> ids65;
    for (int i = 0; i < 65; ++i)
        ids65.push_back(Address::Id(i + 1));
    const Address long65{std::span<const Address::Id>(ids65)};
    QCOMPARE(long65.size(), 65);

    struct Case
    {
        const char *what;
        Address to, from;
        Value message;
        const char *fragment;
    };
    Routes bodyTooLong;
    bodyTooLong.many = {Address{1}, long65};
    const Case cases[] = {
        {"no codec", Address(5), Address(3), Value(LocalOnly{}), "has no wire codec"},
        {"to of 65 hops", long65, Address(3), Value(Ack{}), "more than 64 hops"},
        {"from of 65 hops", Address(5), long65, Value(Ack{}), "more than 64 hops"},
        {"a body address of 65 hops", Address(5), Address(3), Value(bodyTooLong),
         "more than 64 hops in the body"},
        {"an empty value", Address(5), Address(3), Value(), "no wire codec"},
    };
    for (const Case &c : cases) {
        QByteArray out = before;
        QString error;
        QVERIFY2(!Wire::appendMessage(out, c.to, c.from, c.message, 5, 1 << 20, error), c.what);
        QVERIFY2(error.contains(QLatin1String(c.fragment)),
                 qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(c.what), error)));
        QVERIFY2(out == before, c.what);
    }
}

void tst_Frame::aRelayOverTheLimitIsRefusedAndLeavesTheBufferAlone()
{
    const QByteArray before("earlier frames");
    QByteArray out = before;
    QString error;
    const QByteArray body(2000, '\x01');
    QVERIFY(!Wire::appendEncoded(out, Address{1, 5}, Address(3), "t.X", body, {}, 5, 1024, error));
    QVERIFY2(error.contains(QStringLiteral("exceeds the limit of 1024")), qPrintable(error));
    QCOMPARE(out, before);
    // A bad type name or a book over the limits is refused too.
    QVERIFY(!Wire::appendEncoded(out, Address{1, 5}, Address(3), "", "\xa0", {}, 5, 1024, error));
    QCOMPARE(out, before);
    QVERIFY(!Wire::appendEncoded(out, Address{1, 5}, Address(3), QByteArray(256, 't'), "\xa0", {},
                                 5, 1 << 20, error));
    QCOMPARE(out, before);
    const std::vector<Address> bigBook(Wire::MaxBookEntries + 1, Address());
    QVERIFY(!Wire::appendEncoded(out, Address{1, 5}, Address(3), "t.X", "\xa0", bigBook, 5, 1 << 20,
                                 error));
    QVERIFY2(error.contains(QStringLiteral("65537")), qPrintable(error));
    QCOMPARE(out, before);
    // Exactly the most entries is fine.
    const std::vector<Address> fullBook(Wire::MaxBookEntries, Address());
    QVERIFY(Wire::appendEncoded(out, Address{1, 5}, Address(3), "t.X", "\xa0", fullBook, 5, 1 << 20,
                                error));
    Wire::Frame frame;
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(QByteArrayView(out).sliced(before.size()), 1 << 20, frame, consumed,
                              needed, error),
             Wire::ParseStatus::Ok);
    QCOMPARE(frame.book.size(), size_t(Wire::MaxBookEntries));
}

void tst_Frame::aSmallFrameDoesNotDecodeIntoAHugeMessage()
{
    // A frame of 64 KiB whose body lists the book's one address, of 64 ids, 64 000 times: each
    // list element is a one-byte index, each decoded element a 512-byte copy of the address.
    constexpr qsizetype maxFrameSize = 64 << 10;
    constexpr int elements = 64000;
    QByteArray body = QByteArray::fromHex("a1") + "\x64many" + char(0x99);
    body += char(elements >> 8);
    body += char(elements & 0xff);
    body += QByteArray(elements, '\0');
    std::vector<Address::Id> ids;
    for (int i = 0; i < Wire::MaxAddressLength; ++i)
        ids.push_back(Address::Id(i + 1));
    const std::vector<Address> book{Address(std::span<const Address::Id>(ids))};
    QByteArray bytes;
    QString error;
    QVERIFY2(Wire::appendEncoded(bytes, Address(1), Address(2), "frametest.Routes", body, book, 1,
                                 maxFrameSize, error),
             qPrintable(error));
    Wire::Frame frame;
    qsizetype consumed = 0, needed = 0;
    QCOMPARE(Wire::parseFrame(bytes, maxFrameSize, frame, consumed, needed, error),
             Wire::ParseStatus::Ok);

    // Decoded as a connection decodes it, it must be refused or stay within a small multiple of
    // the frame's size (a list of one-byte indices legitimately becomes a list of 32-byte
    // addresses: allow 128 times the frame).
    const DecodeContext context = Wire::bodyContext(frame, maxFrameSize);
    const qint64 before = allocatedBytes.load();
    qint64 during = 0;
    bool decoded = false;
    {
        DecodeResult r = decodeBody(frame.body, typeOf<Routes>(), context);
        during = allocatedBytes.load() - before;
        decoded = r.hasValue();
        if (decoded)
            QCOMPARE(r.value().get<Routes>().many.size(), size_t(elements));
    }
    QVERIFY2(!decoded || during <= 128 * bytes.size(),
             qPrintable(QStringLiteral("a frame of %1 bytes decoded into %2 bytes of allocations")
                            .arg(bytes.size())
                            .arg(during)));
}

QTEST_GUILESS_MAIN(tst_Frame)
#include "tst_frame.moc"
