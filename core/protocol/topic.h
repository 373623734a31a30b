#pragma once

#include <QString>
#include <optional>

namespace Kyozo::Protocol {

// SPEC §4 topics: execution:{notebook|container|file|workspace}:{id}.
struct Topic
{
    enum class Kind { Notebook, Container, File, Workspace };
    Kind kind = Kind::Workspace;
    QString id;

    static std::optional<Topic> parse(const QString &topic);
    QString toString() const;
};

} // namespace Kyozo::Protocol
