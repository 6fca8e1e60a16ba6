"""The action server: rasa-sdk's own, with health data kept out of its logs.

Run: python -m actions [--port 5055]   (rasa-sdk's options; the actions package is this one)
"""

import sys

from bot.shared.log_privacy import keep_health_data_out_of_logs


def main() -> None:
    keep_health_data_out_of_logs()
    from rasa_sdk.__main__ import main as serve

    arguments = sys.argv[1:]
    if "--actions" not in arguments:
        arguments = ["--actions", "actions", *arguments]
    sys.argv = ["rasa_sdk", *arguments]
    serve()


if __name__ == "__main__":
    main()
