#include "undostack.h"

#include <algorithm>

namespace Kyozo::Collab {

void UndoStack::recordLocal(const TextOperation &operation, const QString &before, bool merge)
{
    if (operation.isNoop())
        return;
    const TextOperation inverse = operation.invert(before);
    if (merge && !m_mergeBlocked && !m_undo.empty()) {
        // ot.js UndoManager.add with compose: the new inverse first, then the older step.
        if (auto merged = inverse.compose(m_undo.back())) {
            m_undo.back() = std::move(*merged);
        } else {
            m_undo.push_back(inverse);
        }
    } else {
        m_undo.push_back(inverse);
        if (qsizetype(m_undo.size()) > m_maxSteps)
            m_undo.erase(m_undo.begin());
    }
    m_mergeBlocked = false;
    m_redo.clear();
}

void UndoStack::transformSteps(std::vector<TextOperation> &steps, TextOperation remote)
{
    // ot.js transformStack: from the newest step down, each step applies to the document the
    // one above it leaves, so the remote operation moves down with it.
    std::vector<TextOperation> moved;
    moved.reserve(steps.size());
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        auto pair = TextOperation::transform(*it, remote);
        if (!pair)
            break; // cannot happen for steps recorded on this document
        if (!pair->first.isNoop())
            moved.push_back(std::move(pair->first));
        remote = std::move(pair->second);
    }
    std::reverse(moved.begin(), moved.end());
    steps = std::move(moved);
}

void UndoStack::transform(const TextOperation &remote)
{
    transformSteps(m_undo, remote);
    transformSteps(m_redo, remote);
}

std::optional<TextOperation> UndoStack::undo(const QString &current)
{
    if (m_undo.empty() || m_undo.back().baseLength() != current.size())
        return std::nullopt;
    TextOperation step = std::move(m_undo.back());
    m_undo.pop_back();
    m_redo.push_back(step.invert(current));
    m_mergeBlocked = true;
    return step;
}

std::optional<TextOperation> UndoStack::redo(const QString &current)
{
    if (m_redo.empty() || m_redo.back().baseLength() != current.size())
        return std::nullopt;
    TextOperation step = std::move(m_redo.back());
    m_redo.pop_back();
    m_undo.push_back(step.invert(current));
    m_mergeBlocked = true;
    return step;
}

void UndoStack::clear()
{
    m_undo.clear();
    m_redo.clear();
    m_mergeBlocked = false;
}

} // namespace Kyozo::Collab
