#pragma once

#include <QString>
#include <optional>

namespace Kyozo::App {

// Where the app keeps a server token (SPEC §9: the keychain). QtKeychain first; on any
// keychain error (QtKeychain 0.13 fails at once with error 7 where no Secret Service runs)
// a file readable only by the user in the XDG config dir, and a notice saying so.
class TokenStore
{
public:
    // `account` names the token: "solo" or a server URL.
    explicit TokenStore(QString account);

    std::optional<QString> read();
    bool write(const QString &token);
    // Set after the keychain failed: one sentence for the user, shown once.
    QString notice() const { return m_notice; }

private:
    QString fallbackPath() const;
    bool keychainDisabled() const;

    QString m_account;
    QString m_notice;
};

} // namespace Kyozo::App
