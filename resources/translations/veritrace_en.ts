<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en">
<context>
    <name>AppStatusBar</name>
    <message numerus="yes">
        <source>✓ Record verified %1 · %Ln entries</source>
        <translation>
            <numerusform>✓ Record verified %1 · %Ln entry</numerusform>
            <numerusform>✓ Record verified %1 · %Ln entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln token</numerusform>
            <numerusform>%Ln tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %Ln tokens</source>
        <translation>
            <numerusform>about %Ln token</numerusform>
            <numerusform>about %Ln tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln token</numerusform>
            <numerusform>%Ln tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %Ln tokens</source>
        <translation>
            <numerusform>about %Ln token</numerusform>
            <numerusform>about %Ln tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln words</source>
        <translation>
            <numerusform>%Ln word</numerusform>
            <numerusform>%Ln words</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries</source>
        <translation>
            <numerusform>%Ln entry</numerusform>
            <numerusform>%Ln entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln turns</source>
        <translation>
            <numerusform>%Ln turn</numerusform>
            <numerusform>%Ln turns</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln models</source>
        <translation>
            <numerusform>%Ln model</numerusform>
            <numerusform>%Ln models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln conversations</source>
        <translation>
            <numerusform>%Ln conversation</numerusform>
            <numerusform>%Ln conversations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CreateIdentityDialog</name>
    <message numerus="yes">
        <source>At least %n characters</source>
        <translation>
            <numerusform>At least %n character</numerusform>
            <numerusform>At least %n characters</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Choose a passphrase of at least %n characters.</source>
        <translation>
            <numerusform>Choose a passphrase of at least %n character.</numerusform>
            <numerusform>Choose a passphrase of at least %n characters.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PromptTokensDialog</name>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln token</numerusform>
            <numerusform>%Ln tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %Ln of them control tokens (marked, with their ids)</source>
        <translation>
            <numerusform>, %Ln of them a control token (marked, with its id)</numerusform>
            <numerusform>, %Ln of them control tokens (marked, with their ids)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %Ln images between them</source>
        <translation>
            <numerusform>; %Ln image between them</numerusform>
            <numerusform>; %Ln images between them</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RemoteDialog</name>
    <message numerus="yes">
        <source>The server offers %n models.</source>
        <translation>
            <numerusform>The server offers %n model.</numerusform>
            <numerusform>The server offers %n models.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReproduceDialog</name>
    <message numerus="yes">
        <source>identical: %Ln output tokens</source>
        <translation>
            <numerusform>identical: %Ln output token</numerusform>
            <numerusform>identical: %Ln output tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SessionBrowser</name>
    <message numerus="yes">
        <source>%Ln conversations</source>
        <translation>
            <numerusform>%Ln conversation</numerusform>
            <numerusform>%Ln conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln+ matches</source>
        <translation>
            <numerusform>%Ln+ match</numerusform>
            <numerusform>%Ln+ matches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln matches</source>
        <translation>
            <numerusform>%Ln match</numerusform>
            <numerusform>%Ln matches</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message numerus="yes">
        <source>Wrong passphrase: %n tries left before signing is refused.</source>
        <translation>
            <numerusform>Wrong passphrase: %n try left before signing is refused.</numerusform>
            <numerusform>Wrong passphrase: %n tries left before signing is refused.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message numerus="yes">
        <source>This record has %n signing identities. If none is yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</source>
        <translation>
            <numerusform>This record has %n signing identity. If it is not yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</numerusform>
            <numerusform>This record has %n signing identities. If none is yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</numerusform>
        </translation>
    </message>
</context>
</TS>
