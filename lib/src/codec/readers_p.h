// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// \internal The parts of decoding that are the same for the binary and the JSON reader: both
// offer readArray, readInteger, readUtf8 and readNullIf over their own input.

#include <parley/address.h>
#include <parley/codec.h>

namespace Parley::detail {

/// Reads an address (an array of ids) and applies the context's rewrite.
template <class Reader>
bool readAddressFrom(Reader &r, Address &out)
{
    qsizetype n = 0;
    if (!r.readArray(n))
        return false;
    if (n > r.context().maxAddressLength)
        return r.fail(DecodeError::Kind::LimitExceeded,
                      QStringLiteral("address of %1 ids exceeds the limit of %2")
                          .arg(n)
                          .arg(r.context().maxAddressLength));
    Address a;
    for (qsizetype i = 0; i < n; ++i) {
        Address::Id id = 0;
        if (!r.readInteger(id)) {
            r.prependIndex(i);
            return false;
        }
        a.append(id);
    }
    r.rewrite(a);
    out = std::move(a);
    return true;
}

/// Reads an any-message, [wire name, body], decoding the body with the TypeInfo entry
/// \a decoder (the binary or the JSON one).
template <class Reader>
bool readValueFrom(Reader &r, Value &out, bool (*TypeInfo::*decoder)(Reader &, void *))
{
    if (r.readNullIf()) {
        out.reset();
        return true;
    }
    const bool topLevel = r.depth() == 0;
    qsizetype n = 0;
    if (!r.enter() || !r.readArray(n))
        return false;
    if (n != 2)
        return r.fail(DecodeError::Kind::InvalidValue,
                      QStringLiteral("expected [wire name, body], got %1 elements").arg(n));
    const char *data = nullptr;
    qsizetype size = 0;
    if (!r.readUtf8(data, size, "text (a wire name)"))
        return false;
    const QString name = QString::fromUtf8(data, size);
    const TypeInfo *type = findType(name);
    if (!type)
        return r.fail(DecodeError::Kind::UnknownType,
                      QStringLiteral("unknown message type \"%1\"").arg(name));
    if (!(type->*decoder))
        return r.fail(DecodeError::Kind::NotDecodable,
                      QStringLiteral("message type \"%1\" has a field without a codec").arg(name));
    Value v = Value::defaultOf(type);
    if (!(type->*decoder)(r, v.data())) {
        if (topLevel) // the path starts with the type of a top-level message
            r.prependType(type->displayName);
        return false;
    }
    out = std::move(v);
    r.leave();
    return true;
}

} // namespace Parley::detail
