#pragma once

#include "blockevent.h"
#include "semanticitem.h"

namespace Kyozo::MarkdownLD {

// SPEC §2.1 events. Containers (block quotes, lists, items) open before and close after
// their children; leaves are reported when they close, with their whole range.
class StreamListener
{
public:
    virtual ~StreamListener() = default;
    virtual void blockOpened(const BlockEvent &) { }
    virtual void blockClosed(const BlockEvent &) { }
    virtual void itemFound(const SemanticItem &) { }
};

} // namespace Kyozo::MarkdownLD
