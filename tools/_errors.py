"""Shared error types and error formatting for the agent tools.

Tools raise :class:`ToolError` subclasses for anything the model did wrong (bad path,
bad expression, ...). Because they subclass ``langchain_core.tools.ToolException``,
tools built with :func:`structured_tool` turn them into an ``"Error: ..."`` string
for the model instead of crashing the agent loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, ValidationError


class ToolError(ToolException, ValueError):
    """Base class for errors a tool reports back to the model as text."""


class WorkspaceError(ToolError):
    """A workspace file operation was refused or failed (path outside root, binary file, ...)."""


class CalculatorError(ToolError):
    """An expression was refused (not plain arithmetic, too big) or could not be evaluated."""


class NotesError(ToolError):
    """A notes operation was invalid (empty text, ...)."""


def tool_error_text(e: ToolException) -> str:
    """Format a tool exception as the text the model sees."""
    return f"Error: {e}"


def validation_error_text(e: ValidationError | Exception) -> str:
    """Format a pydantic validation error compactly (without echoing the input values)."""
    if isinstance(e, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}" for err in e.errors()
        ]
        return "Error: invalid arguments: " + "; ".join(parts)
    return f"Error: invalid arguments: {e}"


def structured_tool(
    func: Callable[..., Any], name: str, description: str, args_schema: type[BaseModel]
) -> StructuredTool:
    """Build a StructuredTool that reports ToolErrors and bad arguments as 'Error: ...' text."""
    return StructuredTool.from_function(
        func=func,
        name=name,
        description=description,
        args_schema=args_schema,
        handle_tool_error=tool_error_text,
        handle_validation_error=validation_error_text,
    )
