// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include <parley/message.h>

namespace Parley {

void Value::moveFrom(Value &other) noexcept
{
    // An inline value of a type with a real move constructor (the relocatable ones are copied
    // byte-wise by the inline move constructor).
    m_type->moveConstruct(m_storage, other.m_storage);
    m_type->destroy(other.m_storage);
}

Value::Value(const Value &other) : m_type(other.m_type)
{
    if (!m_type)
        return;
    if (!m_type->copyConstruct)
        qFatal("Parley::Value: message type %s cannot be copied", m_type->wireName);
    if (isInline()) {
        m_type->copyConstruct(m_storage, other.m_storage);
    } else {
        void *p = allocateBytes(m_type->size, m_type->align);
        try {
            m_type->copyConstruct(p, *reinterpret_cast<void *const *>(other.m_storage));
        } catch (...) {
            freeBytes(p, m_type->align);
            m_type = nullptr;
            throw;
        }
        std::memcpy(m_storage, &p, sizeof(void *));
    }
}

Value &Value::operator=(Value &&other) noexcept
{
    if (this != &other) {
        reset();
        new (this) Value(std::move(other));
    }
    return *this;
}

Value &Value::operator=(const Value &other)
{
    if (this != &other) {
        Value copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Value Value::defaultOf(const TypeInfo *type)
{
    Value v;
    if (!type)
        return v;
    v.m_type = type;
    if (v.isInline()) {
        type->defaultConstruct(v.m_storage);
    } else {
        void *p = allocateBytes(type->size, type->align);
        try {
            type->defaultConstruct(p);
        } catch (...) {
            freeBytes(p, type->align);
            v.m_type = nullptr;
            throw;
        }
        std::memcpy(v.m_storage, &p, sizeof(void *));
    }
    return v;
}

void *Value::data() noexcept
{
    if (!m_type)
        return nullptr;
    return isInline() ? static_cast<void *>(m_storage) : *reinterpret_cast<void **>(m_storage);
}

const void *Value::data() const noexcept
{
    if (!m_type)
        return nullptr;
    return isInline() ? static_cast<const void *>(m_storage)
                      : *reinterpret_cast<void *const *>(m_storage);
}

void Value::reset() noexcept
{
    if (!m_type)
        return;
    if (isInline()) {
        m_type->destroy(m_storage);
    } else {
        void *p = *reinterpret_cast<void **>(m_storage);
        m_type->destroy(p);
        freeBytes(p, m_type->align);
    }
    m_type = nullptr;
}

bool Value::fault(FaultView *out) const
{
    if (!m_type || !m_type->fault)
        return false;
    return m_type->fault(data(), out);
}

} // namespace Parley
