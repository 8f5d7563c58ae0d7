"""Model runtimes: the backend protocol, llama-cpp-python, and a scripted fake. No Qt."""
