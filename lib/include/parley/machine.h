// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/machine.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/object.h>

#include <functional>
#include <memory>
#include <vector>

namespace Parley {

namespace detail {

/// Adapts a user handler taking `T&`, `const T&` or nothing to one taking the Value.
template <class T, class F>
auto adaptHandler(F &&f)
{
    return [f = std::forward<F>(f)](Value &v) mutable -> decltype(auto) {
        if constexpr (std::is_invocable_v<F &, T &>)
            return std::invoke(f, v.get<T>());
        else
            return std::invoke(f);
    };
}

/// Handlers keyed by message type: the first two inline, more in a side vector (a machine
/// usually has a handful; a million small machines should not pay for a heap block each). The
/// null type is the unknown handler's key.
template <class Result>
class HandlerTable
{
public:
    using Function = std::function<Result(Value &)>;
    void set(const TypeInfo *type, Function f)
    {
        if (Function *existing = find(type)) {
            *existing = std::move(f);
            return;
        }
        if (m_count < Inline) {
            m_inline[m_count++] = {type, std::move(f)};
            return;
        }
        if (!m_more)
            m_more = std::make_unique<std::vector<Entry>>();
        m_more->push_back({type, std::move(f)});
    }
    [[nodiscard]] Function *find(const TypeInfo *type)
    {
        for (quint32 i = 0; i < m_count; ++i) {
            if (m_inline[i].type == type)
                return &m_inline[i].function;
        }
        if (m_more) {
            for (auto &h : *m_more) {
                if (h.type == type)
                    return &h.function;
            }
        }
        return nullptr;
    }

private:
    static constexpr quint32 Inline = 2;
    struct Entry
    {
        const TypeInfo *type = nullptr;
        Function function;
    };
    Entry m_inline[Inline];
    quint32 m_count = 0;
    std::unique_ptr<std::vector<Entry>> m_more;
};

} // namespace detail

// clang-format off
/// A stateless machine: one handler per message type, no thread of its own.
///
/// Register handlers in the constructor. A message with no handler goes to the unknown handler
/// when there is one, else it is dropped with a `?` log line.
///
/// \code
/// class Application : public Parley::Machine {
/// public:
///     Application() {
///         on<Parley::Start>([this] {
///             worker = create<&requestWorker>();
///             send(Lookup{url}, worker);
///         });
///         on<Companies>([this](Companies &m) { complete(Parley::Ack{}); });
///     }
/// };
/// \endcode
// clang-format on
class PARLEY_EXPORT Machine : public Object
{
    Q_OBJECT
public:
    ~Machine() override;

protected:
    Machine();

    /// Handles messages of type \a T with \a handler (taking `T&`, `const T&` or nothing).
    template <Message T, class F>
    Machine &on(F &&handler)
    {
        m_handlers.set(typeOf<T>(),
                       [h = detail::adaptHandler<T>(std::forward<F>(handler))](Value &v) mutable {
                           (void)h(v);
                       });
        return *this;
    }
    /// Handles every message no other handler takes.
    template <std::invocable<Value &> F>
    Machine &onUnknown(F &&handler)
    {
        m_handlers.set(
            nullptr, [h = std::forward<F>(handler)](Value &v) mutable { (void)std::invoke(h, v); });
        return *this;
    }

private:
    void parleyReceive(detail::Envelope &envelope) override;

    detail::HandlerTable<void> m_handlers; // the unknown handler under the null type
};

} // namespace Parley
