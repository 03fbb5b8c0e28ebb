// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/machine.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/object.h>

#include <concepts>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
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

/// A Machine's handler: a callable taking the Value, held inline when it fits in two words and
/// moves without throwing (a lambda capturing `this` and a pointer or two), else on the heap.
/// 24 bytes where a std::function takes 32, and one indirect call per message instead of two: a
/// million small machines each carry a few (issue 17).
class MachineHandler
{
public:
    MachineHandler() noexcept = default;
    template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, MachineHandler>) explicit MachineHandler(F &&f)
    {
        using G = std::remove_cvref_t<F>;
        if constexpr (fitsInline<G>()) {
            new (m_storage) G(std::forward<F>(f));
        } else {
            G *heap = new G(std::forward<F>(f));
            std::memcpy(m_storage, &heap, sizeof heap);
        }
        m_ops = &opsFor<G>;
    }
    MachineHandler(MachineHandler &&other) noexcept : m_ops(std::exchange(other.m_ops, nullptr))
    {
        if (m_ops)
            m_ops->relocate(m_storage, other.m_storage);
    }
    MachineHandler &operator=(MachineHandler &&other) noexcept
    {
        if (this != &other) {
            reset();
            m_ops = std::exchange(other.m_ops, nullptr);
            if (m_ops)
                m_ops->relocate(m_storage, other.m_storage);
        }
        return *this;
    }
    MachineHandler(const MachineHandler &) = delete;
    MachineHandler &operator=(const MachineHandler &) = delete;
    ~MachineHandler() { reset(); }

    void operator()(Value &v) { m_ops->invoke(m_storage, v); }
    explicit operator bool() const noexcept { return m_ops != nullptr; }

private:
    struct Ops
    {
        void (*invoke)(void *storage, Value &v);
        /// Moves the callable from \a src into \a dst and ends it in \a src.
        void (*relocate)(void *dst, void *src) noexcept;
        void (*destroy)(void *storage) noexcept;
    };
    template <class G>
    static constexpr bool fitsInline()
    {
        return sizeof(G) <= sizeof(m_storage) && alignof(G) <= alignof(void *)
            && std::is_nothrow_move_constructible_v<G>;
    }
    template <class G>
    static G *target(void *storage) noexcept
    {
        if constexpr (fitsInline<G>()) {
            return std::launder(static_cast<G *>(storage));
        } else {
            G *heap;
            std::memcpy(&heap, storage, sizeof heap);
            return heap;
        }
    }
    template <class G>
    static constexpr Ops opsFor{
        [](void *storage, Value &v) { (*target<G>(storage))(v); },
        [](void *dst, void *src) noexcept {
            if constexpr (fitsInline<G>()) {
                G *from = target<G>(src);
                new (dst) G(std::move(*from));
                from->~G();
            } else {
                std::memcpy(dst, src, sizeof(G *));
            }
        },
        [](void *storage) noexcept {
            if constexpr (fitsInline<G>())
                target<G>(storage)->~G();
            else
                delete target<G>(storage);
        },
    };
    void reset() noexcept
    {
        if (m_ops)
            std::exchange(m_ops, nullptr)->destroy(m_storage);
    }

    alignas(void *) unsigned char m_storage[2 * sizeof(void *)];
    const Ops *m_ops = nullptr;
};

/// Handlers keyed by message type: the first two inline, more in a side vector (a machine
/// usually has a handful; a million small machines should not pay for a heap block each). The
/// null type is the unknown handler's key.
template <class Result, class Function = std::function<Result(Value &)>>
class HandlerTable
{
public:
    /// Sets the handler of \a type (replacing one set before), built in place from \a f.
    template <class F>
    void set(const TypeInfo *type, F &&f)
    {
        Function function(std::forward<F>(f));
        if (Function *existing = find(type)) {
            *existing = std::move(function);
            return;
        }
        if (m_count < Inline) {
            m_inline[m_count].type = type;
            m_inline[m_count].function = std::move(function);
            ++m_count;
            return;
        }
        if (!m_more)
            m_more = std::make_unique<std::vector<Entry>>();
        m_more->push_back({type, std::move(function)});
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

    detail::HandlerTable<void, detail::MachineHandler> m_handlers; // unknown handler: null type
};

} // namespace Parley
