// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "object_p.h"
#include "runtime_p.h"

#include <parley/machine.h>

namespace Parley {

Machine::Machine() = default;
Machine::~Machine() = default;

void Machine::parleyReceive(detail::Envelope &envelope)
{
    auto *handler = m_handlers.find(envelope.message.type());
    if (!handler)
        handler = m_handlers.find(nullptr); // the unknown handler
    if (handler) {
        (*handler)(envelope.message);
        return;
    }
    if (envelope.message.is<Start>())
        return; // a machine with nothing to do at start needs no Start handler
    ObjectPrivate *d = ObjectPrivate::get(this);
    d->runtime()->logDropped(envelope, d->id, "no handler", this, DropReason::NoHandler);
    // Its sender may wait for an answer that will not come: tell it.
    d->runtime()->bounce(envelope.to, envelope.from, envelope.message, DropReason::NoHandler,
                         QStringLiteral("no handler"));
}

} // namespace Parley
